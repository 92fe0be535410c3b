/* check.c: reporting failed checks (see check.h)
 *
 * Both kinds of failure go to the plinth's mps_lib_assert_fail, which the
 * client may replace (mps_lib_assert_fail_install).  An argument check
 * names the interface function and the rule, as "mps_alloc: size > 0".
 */

#include "check.h"

void CheckFail(const char *file, unsigned line, const char *cond)
{
  mps_lib_assert_fail(file, line, cond);
}

void ArgFail(const char *file, unsigned line, const char *func, const char *cond)
{
  char message[256];
  Size i = 0;
  const char *s;
  for (s = func; *s != '\0' && i < sizeof message - 3; ++s)
    message[i++] = *s;
  message[i++] = ':';
  message[i++] = ' ';
  for (s = cond; *s != '\0' && i < sizeof message - 1; ++s)
    message[i++] = *s;
  message[i] = '\0';
  mps_lib_assert_fail(file, line, message);
}
