;; Fixnums (immediate), flonums (boxed in AMCZ) and their mixtures.

(display (list (+) (+ 1 2 3) (- 5) (- 10 1 2) (*) (* 2 3 4))) (newline) ; (0 6 -5 7 1 24)
(display (list (/ 12 4) (/ 7 2) (/ 2) (/ 1.0 4))) (newline)             ; (3 3.5 0.5 0.25)
(display (list (quotient 17 5) (remainder 17 5) (modulo 17 5))) (newline) ; (3 2 2)
(display (list (quotient -17 5) (remainder -17 5) (modulo -17 5))) (newline) ; (-3 -2 3)
(display (list (modulo 17 -5) (remainder 17 -5))) (newline)             ; (-3 2)
(display (list (< 1 2 3) (< 1 3 2) (= 2 2 2) (>= 3 3 1) (<= 1 1 2) (> 3 2 2))) (newline)
(display (list (= 1 1.0) (< 1 1.5) (> 2.5 2))) (newline)                ; (#t #t #t)
(display (list (abs -5) (abs 5.5) (min 3 1 2) (max 1 2.0) (min 1 2))) (newline) ; (5 5.5 1 2.0 1)
(display (list (exact->inexact 1) (inexact->exact 4.0) (exact 2.0))) (newline) ; (1.0 4 2)
(display (list (floor 2.5) (ceiling 2.5) (round 2.5) (round 3.5) (truncate -2.7) (floor 3))) (newline)
(display (list (sqrt 16) (sqrt 2.25) (expt 2 10) (expt 2 0.5) (expt 2.0 3))) (newline)
(display (list (number? 1) (number? 1.5) (number? 'a) (integer? 2) (integer? 2.0) (integer? 2.5)))
(newline)                                                               ; (#t #t #f #t #t #f)
(display (list (exact? 1) (exact? 1.0) (inexact? 1.0) (zero? 0) (zero? 0.0) (positive? -1) (negative? -1)))
(newline)
(display (list (even? 10) (odd? 10) (even? -3) (odd? -3))) (newline)    ; (#t #f #f #t)
;; Fixnums overflow into flonums rather than wrapping.
(display (* 4611686018427387903 1)) (newline)                          ; 4611686018427387903
(display (+ 4611686018427387903 1)) (newline)                          ; 4.611686018427388e+18
(display (* 99999999999 99999999999)) (newline)                        ; 9.9999999998e+21
(display (- -4611686018427387904 1)) (newline)                         ; -4.611686018427388e+18
(display (expt 3 40)) (newline)                                        ; 3^40 does not fit a fixnum: 1.2157665459056929e+19
(display (list 1e3 -2.5e-3 .5 -0.75 +7 -0)) (newline)                  ; (1000.0 -0.0025 0.5 -0.75 7 0)
(display (list #x1F #b101)) (newline)                                  ; (31 5)
