;;; strings.scm: string-heavy allocation (benchmark for bench/run.sh)
;;;
;;; Each round turns numbers into strings, glues them together with
;;; string-append, takes substrings, converts to and from lists of
;;; characters, copies and compares; only lengths and a few characters
;;; survive the round.  A long-lived vector of 20 000 strings stays alive
;;; to the end.  Strings live in AMCZ (never scanned); the lists and
;;; vectors that hold them in AMC.

(define rounds 300)
(define width 1000)

(define long-lived (make-vector 20000 #f))
(do ((i 0 (+ i 1))) ((= i 20000))
  (vector-set! long-lived i (string-append "item-" (number->string i))))

(define (join strs sep)
  (if (null? strs)
      ""
      (let loop ((acc (car strs)) (rest (cdr strs)))
        (if (null? rest)
            acc
            (loop (string-append acc sep (car rest)) (cdr rest))))))

(define (round k)
  (let loop ((i 0) (parts '()) (total 0))
    (if (< i width)
        (let* ((s (number->string (+ (* k width) i)))
               (t (string-append "<" s ":" (symbol->string 'x) ">"))
               (u (list->string (reverse (string->list t))))
               (c (string-copy u)))
          (loop (+ i 1)
                (if (= (remainder i 20) 0) (cons c parts) parts)
                (+ total (string-length c)
                   (if (string=? c u) 1 0)
                   (string-length (substring t 1 (- (string-length t) 1))))))
        (+ total (string-length (join parts ","))))))

(define (run k acc)
  (if (= k rounds) acc (run (+ k 1) (+ acc (round k)))))

(display "total ") (display (run 0 0)) (newline)
(display "long-lived ")
(display (string-length (vector-ref long-lived 19999)))
(display " ")
(display (vector-ref long-lived 12345))
(newline)
