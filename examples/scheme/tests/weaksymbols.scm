;; The symbol table is weak: a symbol that nothing refers to dies at the
;; next collection, while one still referred to keeps its identity.
;; Globals and special forms are kept alive by the interpreter, so their
;; names mean the same thing however often the table is collected.
;; Counts of dying symbols get a little slack: the interpreter's C stack
;; is an ambiguous root and may keep one or two alive.

(define (make-symbols prefix i n)
  (if (< i n)
      (begin (string->symbol (string-append prefix (number->string i)))
             (make-symbols prefix (+ i 1) n))))
(gc)
(define n0 (symbol-count))

;; Two thousand symbols that nobody keeps: in the table until a (gc).
(make-symbols "garbage-" 0 2000)
(define n1 (symbol-count))
(display (>= (- n1 n0) 2000)) (newline)               ; #t
(gc)
(define n2 (symbol-count))
(display (<= n2 (+ n0 10))) (newline)                 ; #t: they died
(display (symbol->string (string->symbol "garbage-5"))) (newline) ; garbage-5

;; A symbol that is still referred to keeps its identity.
(define kept (string->symbol (string-append "kept-" "symbol")))
(define quoted '(alpha beta))
(make-symbols "more-garbage-" 0 2000)
(gc)
(gc)
(display (eq? kept (string->symbol "kept-symbol"))) (newline)  ; #t
(display (eq? kept 'kept-symbol)) (newline)           ; #t
(display (eq? (car quoted) 'alpha)) (newline)         ; #t

;; A global's name is read again after its defining form has died.
(define only-bound-here 42)
(make-symbols "garbage-" 0 2000)
(gc)
(display only-bound-here) (newline)                   ; 42

;; A symbol used only as a weak key dies with its entry.
(define t (make-weak-hash-table))
(define (add-keys i n)
  (if (< i n)
      (begin (hash-table-set! t (string->symbol (string-append "key-" (number->string i))) i)
             (add-keys (+ i 1) n))))
(add-keys 0 100)
(hash-table-set! t kept 'kept)
(display (hash-table-count t)) (newline)              ; 101
(gc)
(display (<= (hash-table-count t) 5)) (newline)       ; #t
(display (hash-table-ref t kept)) (newline)           ; kept

;; Special forms that no live code uses survived all that.
(display (case 3 ((1 2) 'low) ((3 4) 'high) (else 'none))) (newline) ; high
(display (unless #f 'ran)) (newline)                  ; ran
