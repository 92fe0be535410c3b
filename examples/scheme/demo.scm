;;; demo.scm: binary trees, the classic allocation-heavy benchmark.
;;;
;;; Builds many short-lived complete binary trees of growing depth while
;;; one long-lived tree stays alive, checks every tree's node count, then
;;; forces a full collection and prints what Tarn reported in its GC
;;; messages.  Run it with:  scheme demo.scm

(define (make-tree depth)
  (if (= depth 0)
      (cons '() '())
      (cons (make-tree (- depth 1)) (make-tree (- depth 1)))))

(define (check-tree tree)
  (if (null? (car tree))
      1
      (+ 1 (check-tree (car tree)) (check-tree (cdr tree)))))

(define (expected-nodes depth) (- (expt 2 (+ depth 1)) 1))

(define min-depth 4)
(define max-depth 14)

(define (say . items) (for-each display items) (newline))

(define (verify what got expected)
  (if (not (= got expected))
      (error "wrong node count for" what got expected)))

;; A tree that outlives all the others.
(define long-lived (make-tree max-depth))

;; A table of vectors and strings that also lives to the end: AMC holds
;; the vectors, AMCZ the strings and flonums.
(define table (make-vector 1000 #f))
(do ((i 0 (+ i 1))) ((= i 1000))
  (vector-set! table i
               (vector i (number->string i) (* i 1.5) (make-tree 3))))

(say "stretch tree of depth " (+ max-depth 1) "\t check: "
     (check-tree (make-tree (+ max-depth 1))))

(let loop ((depth min-depth))
  (when (<= depth max-depth)
    (let ((iterations (expt 2 (+ (- max-depth depth) min-depth))))
      (do ((i 0 (+ i 1))
           (sum 0 (+ sum (check-tree (make-tree depth)))))
          ((= i iterations)
           (verify depth sum (* iterations (expected-nodes depth)))
           (say iterations "\t trees of depth " depth "\t check: " sum))))
    (loop (+ depth 2))))

(say "long lived tree of depth " max-depth "\t check: "
     (check-tree long-lived))

;; Everything in the table must have survived the collections intact.
(do ((i 0 (+ i 1))) ((= i 1000))
  (let ((entry (vector-ref table i)))
    (if (not (and (= (vector-ref entry 0) i)
                  (string=? (vector-ref entry 1) (number->string i))
                  (= (vector-ref entry 2) (* i 1.5))
                  (= (check-tree (vector-ref entry 3)) 15)))
        (error "table entry damaged" i entry))))
(say "table of 1000 entries intact")

;; A full collection, then the statistics gathered from GC messages.
(gc)
(say "after a full collection:")
(for-each (lambda (entry)
            (say "  " (car entry) ": " (cdr entry)))
          (gc-stats))
