/* sac.c: placeholder until the module lands */
