;; Symbols are interned: the same name gives the same object (eq?),
;; before and after collections move them.

(define a 'hello)
(define b (string->symbol "hello"))
(display (eq? a b)) (newline)                 ; #t
(display (eq? a 'world)) (newline)            ; #f
(gc)
(display (eq? a 'hello)) (newline)            ; #t
(display (eq? b (string->symbol (string-append "hel" "lo")))) (newline) ; #t

;; Thousands of symbols (the table grows several times), remembered in
;; a list and looked up again after collections.
(define (make-syms i n)
  (if (= i n)
      '()
      (cons (string->symbol (string-append "sym-" (number->string i)))
            (make-syms (+ i 1) n))))
(define syms (make-syms 0 5000))
(gc)
(do ((i 0 (+ i 1))) ((= i 100000)) (cons i i))
(gc)
(define (all-eq? l i)
  (cond ((null? l) #t)
        ((eq? (car l) (string->symbol (string-append "sym-" (number->string i))))
         (all-eq? (cdr l) (+ i 1)))
        (else (car l))))
(display (all-eq? syms 0)) (newline)          ; #t
(display (list-ref syms 4321)) (newline)      ; sym-4321
(display (symbol->string (list-ref syms 17))) (newline)   ; sym-17

;; Symbols as keys of association lists.
(define table (map (lambda (s) (cons s (symbol->string s))) syms))
(gc)
(display (cdr (assq (string->symbol "sym-2500") table))) (newline)  ; sym-2500
(display (assq 'nonexistent table)) (newline) ; #f
(display (memq 'c '(a b c d))) (newline)      ; (c d)

;; Globals bound through symbols survive collections.
(define counter 0)
(define (bump!) (set! counter (+ counter 1)))
(do ((i 0 (+ i 1))) ((= i 1000)) (bump!))
(gc)
(display counter) (newline)                   ; 1000
(display (symbol? 'x)) (display (symbol? "x")) (newline)   ; #t#f
(display (eq? 'abc 'ABC)) (newline)           ; #f (case-sensitive)
