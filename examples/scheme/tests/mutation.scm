;; set-car! and set-cdr! on objects that have been promoted, pointing
;; them at young objects, then collecting: the old objects must keep
;; the young ones alive and see their new addresses.

(define (iota n) (let loop ((i n) (l '())) (if (= i 0) l (loop (- i 1) (cons (- i 1) l)))))
(define old (iota 1000))
(gc) (gc)                                      ; old is now in an older generation

;; Point every element of the old list at a fresh pair.
(let loop ((l old) (i 0))
  (when (pair? l)
    (set-car! l (cons i (number->string i)))
    (loop (cdr l) (+ i 1))))

;; Allocate plenty so that nursery collections run.
(define (churn n) (if (> n 0) (begin (list n n n) (churn (- n 1)))))
(churn 300000)

(define (check l i)
  (cond ((null? l) #t)
        ((and (= (car (car l)) i) (string=? (cdr (car l)) (number->string i)))
         (check (cdr l) (+ i 1)))
        (else (list 'bad i (car l)))))
(display (check old 0)) (newline)              ; #t
(gc)
(display (check old 0)) (newline)              ; #t

;; Splice a new tail onto an old list with set-cdr!.
(define tail (iota 10))
(set-cdr! (list-tail old 999) tail)
(churn 300000)
(gc)
(display (length old)) (newline)               ; 1010
(display (list-tail old 1005)) (newline)       ; (5 6 7 8 9)

;; A circular structure survives collection (not printed!).
(define ring (list 1 2 3))
(set-cdr! (cddr ring) ring)
(gc)
(display (list (car ring) (cadr ring) (caddr ring) (car (cdddr ring)))) (newline) ; (1 2 3 1)
(display (eq? ring (cdddr ring))) (newline)    ; #t

;; A queue as a pair of head and tail pointers, mutated under churn.
(define (make-queue) (cons '() '()))
(define (enqueue! q x)
  (let ((cell (cons x '())))
    (if (null? (car q)) (set-car! q cell) (set-cdr! (cdr q) cell))
    (set-cdr! q cell)))
(define q (make-queue))
(do ((i 0 (+ i 1))) ((= i 50000))
  (enqueue! q i)
  (if (= 0 (modulo i 10000)) (gc)))
(display (length (car q))) (newline)           ; 50000
(display (car (cdr q))) (newline)              ; 49999
(display (list-ref (car q) 12345)) (newline)   ; 12345

;; set! on captured variables and vector slots in old objects.
(define box (vector #f))
(gc) (gc)
(vector-set! box 0 (list 'fresh (make-string 3 #\y)))
(churn 200000)
(display (vector-ref box 0)) (newline)         ; (fresh yyy)
