; valgrind: skip (runs the stack to its limit)
; asan: skip (ASan cannot unpoison a 128 MiB stack on the longjmp out of
; the runaway recursion: it warns "ignoring requested
; __asan_handle_no_return" and then fails its own check)
;; Runaway recursion is reported as an error, and the REPL carries on
;; with its heap intact.
(define keep (list 1 2 3 (make-string 3 #\k)))
(define (runaway n) (+ 1 (runaway n)))
(runaway 0)
(gc)
keep
(define (f n) (if (= n 0) 0 (+ 1 (f (- n 1)))))
(f 200000)
