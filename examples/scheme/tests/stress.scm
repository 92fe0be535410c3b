;; A hash table (a vector of association lists) under random inserts,
;; updates and deletions, checked against a second representation (a
;; sorted list of keys) while collections run.  Keys are strings (AMCZ),
;; values are lists and flonums.

(define seed 1)
(define (rand n)
  (set! seed (modulo (+ (* seed 1103515245) 12345) 2147483648))
  (modulo (quotient seed 65536) n))

(define size 211)
(define table (make-vector size '()))
(define (hash str)
  (let loop ((i 0) (h 0))
    (if (= i (string-length str))
        h
        (loop (+ i 1) (modulo (+ (* h 31) (char->integer (string-ref str i))) size)))))
(define (lookup key)
  (let ((entry (assoc key (vector-ref table (hash key)))))
    (and entry (cdr entry))))
(define (insert! key value)
  (let* ((h (hash key)) (entry (assoc key (vector-ref table h))))
    (if entry
        (set-cdr! entry value)
        (vector-set! table h (cons (cons key value) (vector-ref table h))))))
(define (remove-key l key)
  (cond ((null? l) '())
        ((string=? (car (car l)) key) (cdr l))
        (else (cons (car l) (remove-key (cdr l) key)))))
(define (delete! key)
  (let ((h (hash key)))
    (vector-set! table h (remove-key (vector-ref table h) key))))

;; The reference: a vector indexed by key number, #f when absent.
(define nkeys 2000)
(define reference (make-vector nkeys #f))
(define (key i) (string-append "key-" (number->string i)))
(define (value-for i round) (list i round (* i 0.5) (number->string round)))

(define (step round)
  (let ((i (rand nkeys)))
    (case (rand 3)
      ((0 1) (insert! (key i) (value-for i round))
             (vector-set! reference i round))
      (else (delete! (key i))
            (vector-set! reference i #f)))))

(define (verify)
  (let loop ((i 0) (count 0))
    (if (= i nkeys)
        count
        (let ((expected (vector-ref reference i)) (got (lookup (key i))))
          (cond ((and (not expected) (not got)) (loop (+ i 1) count))
                ((and expected (equal? got (value-for i expected)))
                 (loop (+ i 1) (+ count 1)))
                (else (error "table damaged at key" i expected got)))))))

(define (count-entries)
  (let loop ((h 0) (n 0))
    (if (= h size) n (loop (+ h 1) (+ n (length (vector-ref table h)))))))

(do ((round 0 (+ round 1))) ((= round 20))
  (do ((j 0 (+ j 1))) ((= j 2000)) (step (+ (* round 2000) j)))
  (if (= (modulo round 5) 4) (gc))
  (let ((live (verify)))
    (if (not (= live (count-entries)))
        (error "entry count mismatch" live (count-entries)))))
(display "verified ") (display (verify)) (display " live keys") (newline)
(display (lookup (key 7))) (newline)
