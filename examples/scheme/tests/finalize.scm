;; Finalized buffers: (make-buffer n [fill]) makes a small heap object
;; whose bytes are malloc'd.  It is registered with mps_finalize; when the
;; collector finds it unreachable, Tarn posts a finalization message and
;; the interpreter frees the bytes, counting them in (gc-stats) as
;; `finalized'.  Counts of dying buffers get a little slack: the
;; interpreter's C stack is an ambiguous root and may keep one alive.

(define (stat name) (cdr (assq name (gc-stats))))
(define (between? x lo hi) (and (>= x lo) (<= x hi)))
(define b (make-buffer 10 65))
(display (buffer? b)) (newline)                       ; #t
(display (buffer? "10")) (newline)                    ; #f
(display (buffer-length b)) (newline)                 ; 10
(buffer-set! b 9 66)
(display (list (buffer-ref b 0) (buffer-ref b 9))) (newline)  ; (65 66)
(display b) (newline)                                 ; #<buffer 10>

;; Three hundred buffers nobody keeps: their bytes are freed by the next
;; (gc), which takes the finalization messages.
(define f0 (stat 'finalized))
(define (garbage-buffers n)
  (if (> n 0) (begin (make-buffer 1000 n) (garbage-buffers (- n 1)))))
(garbage-buffers 300)
(gc)
(define f1 (stat 'finalized))
(display (between? (- f1 f0) 295 300)) (newline)      ; #t

;; Buffers still reachable are not finalized, and keep their bytes.
(define kept (let loop ((i 0) (l '())) (if (= i 50) l (loop (+ i 1) (cons (make-buffer 4 i) l)))))
(gc)
(gc)
(display (<= (- (stat 'finalized) f1) 5)) (newline)   ; #t
(define (sum l) (if (null? l) 0 (+ (buffer-ref (car l) 3) (sum (cdr l)))))
(display (sum kept)) (newline)                        ; 1225
(display (list (buffer-ref b 0) (buffer-ref b 9))) (newline)  ; (65 66)

;; Dropping them lets them go.
(define f2 (stat 'finalized))
(set! kept '())
(gc)
(display (between? (- (stat 'finalized) f2) 45 50)) (newline) ; #t

;; buffer-free! frees the bytes at once and cancels the registration.
(define c (make-buffer 8))
(display (buffer-free! c)) (newline)                  ; #t
(display (buffer-free! c)) (newline)                  ; #f
(display c) (newline)                                 ; #<buffer 8 freed>
(define f3 (stat 'finalized))
(set! c #f)
(gc)
(gc)
(display (- (stat 'finalized) f3)) (newline)          ; 0

;; A buffer used as a weak key: when it becomes unreachable it is
;; finalized first, and the weak reference to it survives that
;; collection (finalization comes before weakness); the entry goes at
;; the next collection, once the message has been taken.
(define t (make-weak-hash-table))
(define (add-buffers n)
  (if (> n 0) (begin (hash-table-set! t (make-buffer 16) n) (add-buffers (- n 1)))))
(add-buffers 10)
(define f4 (stat 'finalized))
(display (hash-table-count t)) (newline)              ; 10
(gc)
(define finalized-now (- (stat 'finalized) f4))
(display (between? finalized-now 8 10)) (newline)     ; #t
(display (hash-table-count t)) (newline)              ; 10: their keys are still there
(gc)
(display (<= (hash-table-count t) (- 10 finalized-now))) (newline) ; #t: now they are gone
(display (map car (gc-stats))) (newline)   ; (collections condemned live not-condemned why finalized ports-finalized)
