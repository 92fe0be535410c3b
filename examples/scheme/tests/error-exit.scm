;; In script mode the first error stops the script with a message on
;; standard error and exit status 1.
(display "before the error") (newline)
(define (f x) (car x))
(f 5)
(display "not reached") (newline)
