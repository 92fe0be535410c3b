/* poolmfs.c: placeholder until the module lands */
