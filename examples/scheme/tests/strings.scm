;; Strings (in the AMCZ pool): construction, access, conversion, and
;; strings that stay correct while they move.

(define s "hello")
(display (string-length s)) (newline)         ; 5
(write (string-ref s 1)) (newline)            ; #\e
(display (string-append s ", " "world" "!")) (newline)   ; hello, world!
(write (string-append)) (newline)             ; ""
(display (substring "abcdef" 2 4)) (newline)  ; cd
(display (substring "abcdef" 3)) (newline)    ; def
(display (number->string 42)) (newline)       ; 42
(display (number->string 2.5)) (newline)      ; 2.5
(display (number->string -7)) (newline)       ; -7
(display (symbol->string 'foo)) (newline)     ; foo
(display (string->symbol "bar")) (newline)    ; bar
(display (string->number "123")) (newline)    ; 123
(display (string->number "1.5e3")) (newline)  ; 1500.0
(display (string->number "abc")) (newline)    ; #f
(display (string=? "abc" "abc")) (display (string=? "abc" "abd")) (newline)  ; #t#f
(display (string<? "abc" "abd")) (display (string<? "b" "a")) (newline)      ; #t#f
(write (string #\a #\b)) (newline)            ; "ab"
(write (make-string 3 #\z)) (newline)         ; "zzz"
(write (string->list "xyz")) (newline)        ; (#\x #\y #\z)
(write (list->string (list #\q #\r))) (newline)   ; "qr"
(write "quote \" backslash \\ newline \n tab \t end") (newline)
(display "quote \" backslash \\ end") (newline)
(define m (string-copy "mutable"))
(string-set! m 0 #\M)
(display m) (newline)                         ; Mutable
(write (string? "x")) (write (string? 'x)) (newline)    ; #t#f
(write (char->integer #\A)) (write (integer->char 97)) (newline)  ; 65#\a
(write (list #\space #\newline #\a)) (newline)

;; Build a long string by repeated appending; strings move in AMCZ.
(define (repeat str n)
  (let loop ((i 0) (acc ""))
    (if (= i n) acc (loop (+ i 1) (string-append acc str)))))
(define long (repeat "abc" 2000))
(gc)
(display (string-length long)) (newline)      ; 6000
(display (substring long 5995 6000)) (newline); cabc? -> "bcabc"

;; Many strings kept in a list, checked after collections.
(define (numbers n) (if (= n 0) '() (cons (number->string n) (numbers (- n 1)))))
(define strs (numbers 20000))
(do ((i 0 (+ i 1))) ((= i 100000)) (string-append "garbage" (number->string i)))
(gc)
(define (check l n)
  (cond ((null? l) (= n 0))
        ((string=? (car l) (number->string n)) (check (cdr l) (- n 1)))
        (else (car l))))
(display (check strs 20000)) (newline)        ; #t
(display (apply string-append (map (lambda (s) (substring s 0 1)) (list-tail strs 19990)))) (newline)
