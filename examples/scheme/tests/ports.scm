;; Finalized file ports: (open-input-file name) and (open-output-file
;; name) make a small heap object holding a C FILE *.  It is registered
;; with mps_finalize; when the collector finds a port unreachable while
;; it is still open, Tarn posts a finalization message and the
;; interpreter closes the file (flushing what was written), counting it
;; in (gc-stats) as `ports-finalized'.  The test runs in a scratch
;; directory.  Counts of dying ports get a little slack: the
;; interpreter's C stack is an ambiguous root and may keep one alive.

(define (stat name) (cdr (assq name (gc-stats))))
(define (between? x lo hi) (and (>= x lo) (<= x hi)))

;; Writing, closing explicitly, reading back.
(define out (open-output-file "ports-basic.txt"))
(display (list (port? out) (output-port? out) (input-port? out) (port? "x"))) (newline) ; (#t #t #f #f)
(write '(1 "two" #\3 four) out)
(newline out)
(display "second line" out)
(write-char #\! out)
(write-string " and more" out)
(newline out)
(display out) (newline)                               ; #<output-port>
(display (close-port out)) (newline)                  ; #t
(display (close-port out)) (newline)                  ; #f: closed already
(display out) (newline)                               ; #<output-port closed>
(define in (open-input-file "ports-basic.txt"))
(write (read in)) (newline)                           ; (1 "two" #\3 four)
(write (read-char in)) (newline)                      ; #\newline
(write (peek-char in)) (newline)                      ; #\s
(write (read-line in)) (newline)                      ; "second line! and more"
(display (eof-object? (read-line in))) (newline)      ; #t
(display (eof-object? (read-char in))) (newline)      ; #t
(display (eof-object? (read in))) (newline)           ; #t
(close-input-port in)

;; Forty output ports written and dropped without being closed: the next
;; (gc) finalizes them, and closing them flushes their contents.
(define (file-name i) (string-append "ports-" (number->string i) ".txt"))
(define (write-files i n)
  (if (< i n)
      (let ((p (open-output-file (file-name i))))
        (write (list 'file i) p)
        (write-files (+ i 1) n))))
(define p0 (stat 'ports-finalized))
(write-files 0 40)
(gc)
(define closed (- (stat 'ports-finalized) p0))
(display (between? closed 38 40)) (newline)           ; #t
;; Every file whose port was closed holds its datum; the others (kept
;; alive by a stale stack word) may not have been flushed yet.
(define (complete-files i n)
  (if (= i n)
      0
      (let* ((p (open-input-file (file-name i)))
             (x (read p)))
        (close-port p)
        (+ (if (equal? x (list 'file i)) 1 0) (complete-files (+ i 1) n)))))
(display (>= (complete-files 0 40) closed)) (newline) ; #t

;; A port that is still reachable is not finalized, and stays open.
(define kept (open-output-file "ports-kept.txt"))
(define p1 (stat 'ports-finalized))
(write-files 100 110)
(gc)
(gc)
(display (port-open? kept)) (newline)                 ; #t
(display "still open" kept)
(close-port kept)
(define in2 (open-input-file "ports-kept.txt"))
(display (read-line in2)) (newline)                   ; still open
(close-port in2)
;; Ports closed explicitly are not closed again by finalization.
(define (open-and-close i n)
  (if (< i n)
      (let ((p (open-output-file (file-name i))))
        (close-port p)
        (open-and-close (+ i 1) n))))
(define p2 (stat 'ports-finalized))
(open-and-close 200 220)
(gc)
(gc)
(display (<= (- (stat 'ports-finalized) p2) 2)) (newline) ; #t

;; Input ports are finalized too.
(define (open-and-drop i n)
  (if (< i n) (begin (open-input-file (file-name i)) (open-and-drop (+ i 1) n))))
(define p3 (stat 'ports-finalized))
(open-and-drop 0 30)
(gc)
(display (between? (- (stat 'ports-finalized) p3) 28 30)) (newline) ; #t
(display (map car (gc-stats))) (newline)   ; (collections condemned live not-condemned why finalized ports-finalized)
