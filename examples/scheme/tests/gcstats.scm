;; GC statistics come from Tarn's GC and GC-start messages.  Their
;; values vary, so only their shape and growth are checked.

(define (stat name) (cdr (assq name (gc-stats))))
(define keep (let loop ((i 0) (l '())) (if (= i 10000) l (loop (+ i 1) (cons i l)))))
(gc)
(define c1 (stat 'collections))
(display (>= c1 1)) (newline)                          ; #t
(display (> (stat 'condemned) 0)) (newline)            ; #t
(display (>= (stat 'live) (* 10000 3 8))) (newline)    ; #t: the list survived
(display (<= (stat 'live) (stat 'condemned))) (newline); #t
(display (string? (stat 'why))) (newline)              ; #t
(display (map car (gc-stats))) (newline)               ; (collections condemned live not-condemned why finalized ports-finalized)
(gc)
(display (> (stat 'collections) c1)) (newline)         ; #t
;; Allocation alone starts collections too.
(define c2 (stat 'collections))
(define (churn n) (if (> n 0) (begin (make-vector 10 n) (churn (- n 1)))))
(churn 500000)
(display (> (stat 'collections) c2)) (newline)         ; #t
(display (length keep)) (newline)                      ; 10000
