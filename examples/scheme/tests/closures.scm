;; Closures: captured variables, shared state, closures that outlive
;; their frames across collections.

(define (make-counter)
  (let ((n 0))
    (lambda () (set! n (+ n 1)) n)))

(define c1 (make-counter))
(define c2 (make-counter))
(c1) (c1) (c2)
(display (list (c1) (c2))) (newline)          ; (3 2)

(define (make-adder k) (lambda (x) (+ x k)))
(define add5 (make-adder 5))
(define add10 (make-adder 10))
(display (map add5 '(1 2 3))) (newline)       ; (6 7 8)
(display (add10 (add5 0))) (newline)          ; 15

;; Two closures sharing one frame.
(define (make-account balance)
  (define (deposit x) (set! balance (+ balance x)) balance)
  (define (withdraw x) (set! balance (- balance x)) balance)
  (lambda (op x) (if (eq? op 'deposit) (deposit x) (withdraw x))))
(define acc (make-account 100))
(acc 'deposit 50)
(display (acc 'withdraw 30)) (newline)        ; 120

;; Many closures, each with its own binding, kept in a list across
;; collections.
(define closures
  (let loop ((i 0) (acc '()))
    (if (= i 1000) acc (loop (+ i 1) (cons (lambda () (* i i)) acc)))))
(gc)
(define (sum-calls l) (if (null? l) 0 (+ ((car l)) (sum-calls (cdr l)))))
(display (sum-calls closures)) (newline)      ; sum of squares 0..999 = 332833500
(gc)
(display ((list-ref closures 0))) (newline)   ; 998001

;; Closures in do loops capture a fresh binding per iteration.
(define thunks '())
(do ((i 0 (+ i 1))) ((= i 3))
  (set! thunks (cons (lambda () i) thunks)))
(display (map (lambda (t) (t)) thunks)) (newline)   ; (2 1 0)

;; Higher-order functions and composition.
(define (compose . fs)
  (if (null? fs)
      (lambda (x) x)
      (lambda (x) ((car fs) ((apply compose (cdr fs)) x)))))
(display ((compose add5 add10 (lambda (x) (* x 2))) 1)) (newline)   ; 17
(define (curry f . args) (lambda more (apply f (append args more))))
(display ((curry + 1 2) 3 4)) (newline)       ; 10
(display ((lambda args args) 1 2 3)) (newline); (1 2 3)
(display ((lambda (a . rest) (list a rest)) 1 2 3)) (newline) ; (1 (2 3))
(display (let ((f (lambda (x) (* x x)))) (f 12))) (newline)  ; 144
(write add5) (newline)
(write car) (newline)
(write (lambda (x) x)) (newline)
