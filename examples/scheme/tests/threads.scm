;; Several threads: (spawn thunk) runs thunk on a new thread, registered
;; with Tarn, with its stack as a root and allocation points of its own;
;; (join thread) waits for it and returns the thunk's value.  A global
;; interpreter lock lets one thread at a time run Scheme code, handing
;; over every thousand evaluation steps, so the threads below allocate
;; in turn while collections (started by any of them) move their objects.

(define (build n) (if (= n 0) '() (cons n (build (- n 1)))))
(define (sum l) (if (null? l) 0 (+ (car l) (sum (cdr l)))))

;; Each worker churns through short-lived lists and vectors.
(define (worker k)
  (lambda ()
    (let loop ((i 0) (acc 0))
      (if (= i 100)
          acc
          (loop (+ i 1) (+ acc (sum (build 1000))
                           (vector-length (make-vector (* 10 k) k))))))))
(define workers (map (lambda (k) (spawn (worker k))) '(1 2 3 4)))
(display (map thread? workers)) (newline)             ; (#t #t #t #t)

;; Each keeper holds long-lived data of every kind across collections it
;; starts itself, and checks it afterwards.
(define (keeper k)
  (lambda ()
    (let ((kept (build 5000))
          (v (make-vector 1000 k))
          (s (make-string 100 #\a))
          (sym (string->symbol (string-append "keeper-" (number->string k))))
          (f (lambda (x) (* x k))))
      (let loop ((i 0))
        (when (< i 40)
          (build 2000)
          (if (= 0 (modulo i 10)) (gc))
          (loop (+ i 1))))
      (list (sum kept) (vector-ref v 999) (string-length s) (string-ref s 99)
            (eq? sym (string->symbol (string-append "keeper-" (number->string k))))
            (f 10)))))
(define keepers (map (lambda (k) (spawn (keeper k))) '(1 2 3)))

;; Meanwhile this thread allocates and collects too.
(define mine (build 3000))
(do ((i 0 (+ i 1))) ((= i 10)) (build 5000) (gc))

(display (map join workers)) (newline)   ; (50060000 50070000 50080000 50090000)
(for-each (lambda (t) (display (join t)) (newline)) keepers)
(display (sum mine)) (newline)                        ; 4501500

;; Joining again gives the same value; the joined thread object keeps it
;; alive across collections.
(define t1 (spawn (lambda () (build 10))))
(define v1 (join t1))
(gc)
(display (eq? v1 (join t1))) (newline)                ; #t
(display (join t1)) (newline)                         ; (10 9 8 7 6 5 4 3 2 1)
(display t1) (newline)                                ; #<thread joined>

;; Threads share the heap: one fills a weak table another made, and a
;; thread's symbols are the same as everyone else's.
(define shared (make-weak-hash-table))
(define keys (build 100))
(define filler
  (spawn (lambda ()
           (for-each (lambda (k) (hash-table-set! shared k (* k k))) keys)
           (string->symbol "made-by-a-thread"))))
(define made (join filler))
(display (list (hash-table-count shared) (hash-table-ref shared (list-ref keys 90))))
(newline)                                             ; (100 100)
(display (eq? made 'made-by-a-thread)) (newline)      ; #t

;; Threads that are never joined are waited for at exit.
(spawn (lambda () (build 1000)))

;; An error in a thread is reported there, and join reports it again.
(display "before the failing thread") (newline)
(join (spawn (lambda () (car 5))))
(display "not reached") (newline)
