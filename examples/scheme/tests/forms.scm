;; The special forms.

(define x 10)
(display (if (> x 5) 'big 'small)) (newline)                 ; big
(display (if #f #f)) (newline)                               ; #<unspecified>
(display (let ((x 1) (y 2)) (+ x y))) (newline)              ; 3
(display (let ((x 1) (y x)) y)) (newline)                    ; 10
(display (let* ((x 1) (y x)) y)) (newline)                   ; 1
(display (let* () 5)) (newline)                              ; 5
(display (letrec ((ev? (lambda (n) (if (= n 0) #t (od? (- n 1)))))
                  (od? (lambda (n) (if (= n 0) #f (ev? (- n 1))))))
           (list (ev? 10) (od? 7))))
(newline)                                                    ; (#t #t)
(display (letrec* ((a 1) (b (+ a 1))) (list a b))) (newline) ; (1 2)
(display (let loop ((i 0) (acc '())) (if (= i 5) (reverse acc) (loop (+ i 1) (cons i acc)))))
(newline)                                                    ; (0 1 2 3 4)
(define (f) (define a 1) (define (g) (* a 2)) (set! a 5) (g))
(display (f)) (newline)                                      ; 10
(define (h y) (define y2 (* y y)) (let () (define z 3) (+ y2 z)))
(display (h 4)) (newline)                                    ; 19
(display (cond ((assv 2 '((1 . one) (2 . two))) => cdr) (else 'none))) (newline) ; two
(display (cond ((= x 1) 'one) ((= x 10) 'ten) (else 'other))) (newline)          ; ten
(display (cond ((= x 1) 'one))) (newline)                    ; #<unspecified>
(display (cond (42))) (newline)                              ; 42
(display (case (* 2 3) ((2 3 5 7) 'prime) ((1 4 6 8 9) 'composite) (else 'big))) (newline) ; composite
(display (case 'z ((a) 1) (else 'fallback))) (newline)       ; fallback
(display (list (and) (and 1 2) (and 1 #f 3) (or) (or #f 2) (or #f #f))) (newline) ; (#t 2 #f #f 2 #f)
(display (when (> x 5) 'a 'b)) (newline)                     ; b
(display (unless (> x 5) 'a)) (newline)                      ; #<unspecified>
(display (unless (< x 5) 'c)) (newline)                      ; c
(display (do ((i 0 (+ i 1)) (s 0 (+ s i))) ((= i 5) s))) (newline) ; 10
(define v (make-vector 3))
(do ((i 0 (+ i 1))) ((= i 3)) (vector-set! v i (* i i)))
(display v) (newline)                                        ; #(0 1 4)
(display (begin 1 2 3)) (newline)                            ; 3
(set! x 99)
(display x) (newline)                                        ; 99
(display (quote (a b . c))) (newline)                        ; (a b . c)
(display '#(1 (2))) (newline)                                ; #(1 (2))
(define n 3)
(display `(n is ,n and list is ,@(list 1 2) end)) (newline)  ; (n is 3 and list is 1 2 end)
(display `(1 `(2 ,(3 ,n)))) (newline)                        ; (1 (quasiquote (2 (unquote (3 3)))))
(display `#(1 ,n)) (newline)                                 ; #(1 (unquote n))  (no vector quasiquote)
(define (variadic a #;comment b . rest) (list a b rest))
(display (variadic 1 2 3 4)) (newline)                       ; (1 2 (3 4))
(define compose2 (lambda (f g) (lambda (x) (f (g x)))))
(display ((compose2 car cdr) '(1 2 3))) (newline)            ; 2
(display (apply + 1 2 '(3 4))) (newline)                     ; 10
(display (map + '(1 2 3) '(10 20 30))) (newline)             ; (11 22 33)
(for-each (lambda (a b) (display (* a b)) (display " ")) '(1 2) '(3 4)) (newline) ; 3 8
