/* poolmvff.c: placeholder until the module lands */
