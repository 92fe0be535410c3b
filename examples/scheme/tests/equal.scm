;; eq?, eqv? and equal? on structures, before and after they move.

(define a (list 1 "two" #(3 4.5 (5)) 'six (cons 7 8)))
(define b (list 1 "two" #(3 4.5 (5)) 'six (cons 7 8)))
(display (list (eq? a b) (eqv? a b) (equal? a b))) (newline)   ; (#f #f #t)
(gc)
(display (equal? a b)) (newline)                               ; #t
(display (equal? a (list 1 "two" #(3 4.5 (5)) 'six (cons 7 9)))) (newline) ; #f
(display (equal? "abc" "abc")) (display (eq? '() '())) (newline)   ; #t#t
(display (eqv? 2.5 2.5)) (display (eqv? 100 100)) (display (eqv? "x" "x")) (newline) ; #t#t#f
(display (equal? #(1 2) #(1 2 3))) (newline)                   ; #f
(display (equal? 2 2.0)) (newline)                             ; #f

;; A structure shared with itself: after collections both references
;; still point at one object.
(define shared (list 'x 'y))
(define both (cons shared shared))
(gc)
(display (eq? (car both) (cdr both))) (newline)                ; #t
(set-car! (car both) 'z)
(display (cdr both)) (newline)                                 ; (z y)

;; Big random-ish trees built twice, compared after collections.
(define seed 12345)
(define (rand n)
  (set! seed (modulo (+ (* seed 1103515245) 12345) 2147483648))
  (modulo (quotient seed 65536) n))
(define (random-tree depth)
  (if (= depth 0)
      (case (rand 4)
        ((0) (rand 1000))
        ((1) (number->string (rand 1000)))
        ((2) (string->symbol (string-append "s" (number->string (rand 50)))))
        (else (* 1.5 (rand 100))))
      (case (rand 3)
        ((0) (cons (random-tree (- depth 1)) (random-tree (- depth 1))))
        ((1) (vector (random-tree (- depth 1)) (random-tree (- depth 1)) (random-tree (- depth 1))))
        (else (list (random-tree (- depth 1)))))))
(set! seed 42)
(define t1 (random-tree 12))
(define (churn n) (if (> n 0) (begin (vector n n) (churn (- n 1)))))
(churn 100000)
(set! seed 42)
(define t2 (random-tree 12))
(gc)
(display (equal? t1 t2)) (newline)                             ; #t
(display (eq? t1 t2)) (newline)                                ; #f
(set! seed 43)
(define t3 (random-tree 12))
(gc)
(display (equal? t1 t3)) (newline)                             ; #f
(display (member (list 2 3) '((1 2) (2 3) (3 4)))) (newline)   ; ((2 3) (3 4))
(display (assoc "b" '(("a" . 1) ("b" . 2)))) (newline)         ; (b . 2)
(display (memv 2.5 '(1 2.5 3))) (newline)                      ; (2.5 3)
