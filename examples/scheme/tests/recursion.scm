;; Non-tail recursion, shallow and deep: the deep cases run the C stack
;; 100000 frames down while collections happen underneath.

(define (fact n) (if (= n 0) 1 (* n (fact (- n 1)))))
(display (fact 10)) (newline)                 ; 3628800
(display (fact 20)) (newline)                 ; 2432902008176640000

(define (fib n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))
(display (fib 20)) (newline)                  ; 6765

(define (ack m n)
  (cond ((= m 0) (+ n 1))
        ((= n 0) (ack (- m 1) 1))
        (else (ack (- m 1) (ack m (- n 1))))))
(display (ack 2 3)) (newline)                 ; 9

;; A 100000-element list built by plain recursion.
(define (build n) (if (= n 0) '() (cons n (build (- n 1)))))
(define big (build 100000))
(display (length big)) (newline)              ; 100000
(define (sum l) (if (null? l) 0 (+ (car l) (sum (cdr l)))))
(display (sum big)) (newline)                 ; 5000050000
(define (my-map f l) (if (null? l) '() (cons (f (car l)) (my-map f (cdr l)))))
(define doubled (my-map (lambda (x) (* 2 x)) big))
(gc)
(display (list (car doubled) (list-ref doubled 99999) (sum doubled))) (newline)

;; A deep tree: a left spine 100000 nodes deep, each node a vector
;; #(left payload right) with a small right subtree.
(define (spine n)
  (if (= n 0)
      #f
      (vector (spine (- n 1)) (number->string n) (cons n '()))))
(define tree (spine 100000))
(gc)
(define (depth t) (if t (+ 1 (depth (vector-ref t 0))) 0))
(display (depth tree)) (newline)              ; 100000
(define (check t n)
  (cond ((not t) (= n 0))
        ((and (string=? (vector-ref t 1) (number->string n))
              (equal? (vector-ref t 2) (list n)))
         (check (vector-ref t 0) (- n 1)))
        (else #f)))
(display (check tree 100000)) (newline)       ; #t

;; Deep car-nesting: equal? and the printer recurse on cars.
(define (nest n) (if (= n 0) '() (list (nest (- n 1)))))
(display (equal? (nest 50000) (nest 50000))) (newline)   ; #t
(display (nest 5)) (newline)                  ; (((((())))))

;; Mutual recursion, not in tail position.
(define (count-even l) (if (null? l) 0 (+ (if (even? (car l)) 1 0) (count-odd (cdr l)))))
(define (count-odd l) (if (null? l) 0 (+ (if (odd? (car l)) 1 0) (count-even (cdr l)))))
(display (count-even big)) (newline)          ; 100000
