; valgrind: skip (runs the stack to its limit)
;; Runaway recursion is reported as an error, and the REPL carries on
;; with its heap intact.
(define keep (list 1 2 3 (make-string 3 #\k)))
(define (runaway n) (+ 1 (runaway n)))
(runaway 0)
(gc)
keep
(define (f n) (if (= n 0) 0 (+ 1 (f (- n 1)))))
(f 200000)
