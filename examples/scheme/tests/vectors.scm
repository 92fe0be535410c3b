;; Vectors: construction, access, mutation, conversion, and vectors that
;; hold young objects after they themselves have aged.

(define v (make-vector 5 0))
(display v) (newline)                         ; #(0 0 0 0 0)
(vector-set! v 0 'a)
(vector-set! v 4 "four")
(write v) (newline)                           ; #(a 0 0 0 "four")
(display (vector-length v)) (newline)         ; 5
(display (vector-ref v 4)) (newline)          ; four
(display (vector 1 2.5 #\x '(3))) (newline)   ; #(1 2.5 x (3))
(write (vector)) (newline)                    ; #()
(display (vector->list #(1 2 3))) (newline)   ; (1 2 3)
(display (list->vector '(a b c))) (newline)   ; #(a b c)
(define w (make-vector 3 'x))
(vector-fill! w 'y)
(display w) (newline)                         ; #(y y y)
(display (vector? w)) (display (vector? '(1))) (newline)   ; #t#f
(display (make-vector 0)) (newline)           ; #()

;; A big vector, filled with fresh objects after it has been promoted.
(define big (make-vector 10000 #f))
(gc) (gc)
(do ((i 0 (+ i 1))) ((= i 10000))
  (vector-set! big i (cons i (number->string i))))
;; churn the nursery so that minor collections run
(do ((i 0 (+ i 1))) ((= i 200000)) (make-vector 4 i))
(define (vector-ok? v)
  (let loop ((i 0))
    (cond ((= i (vector-length v)) #t)
          ((and (= (car (vector-ref v i)) i)
                (string=? (cdr (vector-ref v i)) (number->string i)))
           (loop (+ i 1)))
          (else i))))
(display (vector-ok? big)) (newline)          ; #t
(gc)
(display (vector-ok? big)) (newline)          ; #t

;; Vectors of vectors (a matrix), transposed.
(define (make-matrix rows cols f)
  (let ((m (make-vector rows #f)))
    (do ((r 0 (+ r 1))) ((= r rows) m)
      (let ((row (make-vector cols 0)))
        (do ((c 0 (+ c 1))) ((= c cols))
          (vector-set! row c (f r c)))
        (vector-set! m r row)))))
(define (transpose m)
  (make-matrix (vector-length (vector-ref m 0)) (vector-length m)
               (lambda (r c) (vector-ref (vector-ref m c) r))))
(define m (make-matrix 2 3 (lambda (r c) (+ (* 10 r) c))))
(display m) (newline)                         ; #(#(0 1 2) #(10 11 12))
(display (transpose m)) (newline)             ; #(#(0 10) #(1 11) #(2 12))
(display (equal? m (transpose (transpose m)))) (newline)   ; #t

;; A large vector (several pages) survives and keeps its contents.
(define huge (make-vector 200000 1))
(vector-set! huge 199999 'last)
(gc)
(display (vector-ref huge 199999)) (newline)  ; last
(display (let loop ((i 0) (s 0)) (if (= i 199999) s (loop (+ i 1) (+ s (vector-ref huge i))))))
(newline)                                     ; 199999
