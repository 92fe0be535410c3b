;; Weak-key hash tables: keys compared with eq? and held weakly (an AWL
;; array on a weak allocation point), values held strongly (an exact
;; AWL array).  An entry whose key dies goes at the next (gc); the
;; collector moves keys, and the table rehashes when its location
;; dependency says so.  Counts of dying objects get a little slack: the
;; interpreter's C stack is an ambiguous root and may keep one alive.

(define (between? x lo hi) (and (>= x lo) (<= x hi)))
(define t (make-weak-hash-table))
(display (hash-table? t)) (newline)                   ; #t
(display (hash-table? '())) (newline)                 ; #f

;; The basics, with keys that never die: immediates, and a symbol that a
;; global variable refers to (symbols are held weakly by the symbol
;; table, so one that nothing refers to could die and take its entry).
(define sym-key 'sym)
(hash-table-set! t 1 'one)
(hash-table-set! t #\a "a")
(hash-table-set! t 'sym '(a list))
(hash-table-set! t #t 'true)
(display (list (hash-table-ref t 1) (hash-table-ref t #\a) (hash-table-ref t 'sym)
               (hash-table-ref t #t)))
(newline)                                             ; (one a (a list) true)
(display (hash-table-ref t 2)) (newline)              ; #f
(display (hash-table-ref t 2 'none)) (newline)        ; none
(hash-table-set! t 1 'uno)                            ; replaces
(display (hash-table-ref t 1)) (newline)              ; uno
(display (hash-table-count t)) (newline)              ; 4
(hash-table-delete! t #t)
(display (hash-table-count t)) (newline)              ; 3
(display t) (newline)                                 ; #<weak-hash-table 3>

;; eq?, not equal?: a different list with the same elements is another key.
(define k1 (list 1 2))
(hash-table-set! t k1 'first)
(display (hash-table-ref t (list 1 2))) (newline)     ; #f
(display (hash-table-ref t k1)) (newline)             ; first

;; A thousand fresh keys; half of them kept in a list.  Each value is a
;; list only the table refers to.
(define kept '())
(define (fill i n)
  (if (< i n)
      (let ((k (list i)))
        (hash-table-set! t k (list 'value i))
        (if (even? i) (set! kept (cons k kept)))
        (fill (+ i 1) n))))
(fill 0 1000)
(display (hash-table-count t)) (newline)              ; 1004
(gc)
(display (between? (hash-table-count t) 504 510)) (newline)   ; #t: dead keys gone
(define (all-found? l)
  (cond ((null? l) #t)
        ((equal? (hash-table-ref t (car l)) (list 'value (car (car l))))
         (all-found? (cdr l)))
        (else (car l))))
(display (all-found? kept)) (newline)                 ; #t: live ones intact

;; Garbage and collections move the keys: lookups still find them.
(do ((i 0 (+ i 1))) ((= i 200000)) (cons i i))
(gc)
(display (all-found? kept)) (newline)                 ; #t
(display (hash-table-ref t 'sym)) (newline)           ; (a list)

;; Drop the rest: only the keys that cannot die are left.
(set! kept '())
(gc)
(display (between? (hash-table-count t) 4 8)) (newline)       ; #t
(display (hash-table-ref t 1)) (newline)              ; uno

;; A value that refers to its own key keeps the key alive: values are
;; strong (these are weak-key tables, not ephemerons).
(define t2 (make-weak-hash-table))
(define (self-entries n)
  (if (> n 0)
      (let ((k (list n)))
        (hash-table-set! t2 k (cons 'points-to k))
        (self-entries (- n 1)))))
(self-entries 100)
(gc)
(display (hash-table-count t2)) (newline)             ; 100

;; Tables grow and shrink; a table that dies takes its arrays with it.
(define (big n)
  (let ((t3 (make-weak-hash-table)))
    (do ((i 0 (+ i 1))) ((= i n)) (hash-table-set! t3 (make-vector 2 i) i))
    (hash-table-count t3)))
(display (big 5000)) (newline)                        ; 5000
(gc)
(display (hash-table-count t)) (newline)              ; 4
