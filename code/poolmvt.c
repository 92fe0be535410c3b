/* poolmvt.c: placeholder until the module lands */
