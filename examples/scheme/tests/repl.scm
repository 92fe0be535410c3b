;; Fed to the REPL on standard input (tests named repl*.scm): results
;; are printed, and errors are reported without stopping it.
(+ 1 2)
"a string"
'sym
(define x 42)
x
(car '())
(undefined-variable)
(vector-ref (vector 1 2) 5)
(error "custom failure:" 'x 42 "str")
((lambda (a b) a) 1)
(5 6)
(string-append "a" 5)
(/ 1 0)
(if)
(let ((x)) x)
(exit 3 4)
(list x (* x 2))
(gc)
(eq? 'a 'a)
(exit 7)
(display "not reached")
