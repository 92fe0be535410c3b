;; Tail calls run in constant C stack: each loop below runs a million
;; iterations, allocating as it goes.
; valgrind: skip (ten million iterations take minutes under Valgrind)

(define (count-up i n) (if (= i n) i (count-up (+ i 1) n)))
(display (count-up 0 1000000)) (newline)

(display (let loop ((i 0) (acc 0))
           (if (= i 1000000) acc (loop (+ i 1) (+ acc i)))))
(newline)                                     ; 499999500000

(display (do ((i 0 (+ i 1)) (l '() (if (< i 5) (cons i l) l)))
             ((= i 1000000) l)))
(newline)                                     ; (4 3 2 1 0)

;; Mutual tail recursion.
(define (my-even? n) (if (= n 0) #t (my-odd? (- n 1))))
(define (my-odd? n) (if (= n 0) #f (my-even? (- n 1))))
(display (my-even? 1000000)) (newline)        ; #t

;; Tail positions inside cond, and, or, when, let, let*, begin, case.
(define (t-cond n) (cond ((= n 0) 'cond-done) (else (t-cond (- n 1)))))
(display (t-cond 1000000)) (newline)
(define (t-and n) (and #t (if (= n 0) 'and-done (t-and (- n 1)))))
(display (t-and 1000000)) (newline)
(define (t-or n) (or #f (if (= n 0) 'or-done (t-or (- n 1)))))
(display (t-or 1000000)) (newline)
(define (t-let n) (let ((m (- n 1))) (if (< m 0) 'let-done (t-let m))))
(display (t-let 1000000)) (newline)
(define (t-let* n) (let* ((a n) (b (- a 1))) (begin (if (< b 0) 'let*-done (t-let* b)))))
(display (t-let* 1000000)) (newline)
(define (t-case n) (case (if (= n 0) 'stop 'go) ((stop) 'case-done) (else (t-case (- n 1)))))
(display (t-case 1000000)) (newline)
(define (t-when n) (when #t (if (= n 0) 'when-done (t-when (- n 1)))))
(display (t-when 1000000)) (newline)

;; A loop that allocates a fresh list each time round keeps only the
;; last one.
(define (churn i last)
  (if (= i 0) last (churn (- i 1) (list i (* 2 i) (number->string i)))))
(display (churn 1000000 #f)) (newline)        ; (1 2 1)
