/* cbs.c: placeholder until the module lands */
