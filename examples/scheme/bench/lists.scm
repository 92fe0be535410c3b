;;; lists.scm: list building, reversal, mapping and appending (allocation
;;; benchmark for bench/run.sh)
;;;
;;; Each round builds a list of N integers, reverses it (by hand and with
;;; the primitive), maps over it (non-tail recursion), appends, turns it
;;; into a vector and back, and builds an association list; only the
;;; checksums survive the round.  A long-lived list of 100 000 elements
;;; and every 10th round's result stay alive to the end, so some data is
;;; promoted and old objects keep being referenced.

(define n 10000)
(define rounds 40)

(define (iota n)
  (let loop ((i (- n 1)) (acc '()))
    (if (< i 0) acc (loop (- i 1) (cons i acc)))))

(define (rev l)
  (let loop ((l l) (acc '()))
    (if (null? l) acc (loop (cdr l) (cons (car l) acc)))))

(define (map1 f l)
  (if (null? l) '() (cons (f (car l)) (map1 f (cdr l)))))

(define (sum l)
  (let loop ((l l) (s 0))
    (if (null? l) s (loop (cdr l) (+ s (car l))))))

(define long-lived (iota 100000))
(define kept '())

(define (round k)
  (let* ((l (iota n))
         (r (rev l))
         (r2 (reverse r))
         (m (map1 (lambda (x) (+ x k)) r))
         (m2 (map (lambda (x y) (- x y)) m r))
         (a (append l m r2))
         (v (list->vector a))
         (back (vector->list v))
         (al (map (lambda (x) (cons x (* x x))) l))
         (hit (assv (- n 1) al)))
    (if (= (remainder k 10) 0)
        (set! kept (cons m kept)))
    (+ (sum back) (sum m2) (cdr hit) (length r2))))

(define (run k acc)
  (if (= k rounds) acc (run (+ k 1) (+ acc (round k)))))

(display "checksum ") (display (run 0 0)) (newline)
(display "long-lived ") (display (sum long-lived)) (newline)
(display "kept ") (display (map sum kept)) (newline)
