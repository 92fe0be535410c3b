;; Threads started at the REPL keep running between lines (the REPL lets
;; them run while it waits for input) and can be joined later.
(define (count-up n) (let loop ((i 0) (acc '())) (if (= i n) (length acc) (loop (+ i 1) (cons i acc)))))
(define t (spawn (lambda () (count-up 20000))))
(thread? t)
t
(gc)
(join t)
t
(join t)
(define ts (map (lambda (n) (spawn (lambda () (count-up n)))) '(100 200 300)))
(map join ts)
(join (spawn (lambda () (car '()))))
(join (spawn (lambda () (exit 5))))
(+ 1 2)
