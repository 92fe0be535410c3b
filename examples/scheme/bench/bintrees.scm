;;; bintrees.scm: binary trees (allocation benchmark for bench/run.sh)
;;;
;;; The classic workload: a long-lived tree of depth MAX stays alive while
;;; short-lived complete trees of depth 4, 6, ..., MAX are built, counted
;;; and dropped (2^(MAX - d + 4) trees of each depth, so every depth
;;; allocates about the same number of pairs).  Almost everything dies
;;; young.  Prints the node counts, which the driver checks.

(define max-depth 14)
(define min-depth 4)

(define (make-tree depth)
  (if (= depth 0)
      (cons '() '())
      (cons (make-tree (- depth 1)) (make-tree (- depth 1)))))

(define (check-tree tree)
  (if (null? (car tree))
      1
      (+ 1 (check-tree (car tree)) (check-tree (cdr tree)))))

(define (say . items) (for-each display items) (newline))

(say "stretch " (check-tree (make-tree (+ max-depth 1))))
(define long-lived (make-tree max-depth))

(let loop ((depth min-depth))
  (when (<= depth max-depth)
    (let ((iterations (expt 2 (+ (- max-depth depth) min-depth))))
      (do ((i 0 (+ i 1))
           (sum 0 (+ sum (check-tree (make-tree depth)))))
          ((= i iterations)
           (say iterations " trees of depth " depth ": " sum))))
    (loop (+ depth 2))))

(say "long-lived " (check-tree long-lived))
