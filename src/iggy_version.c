#include <iggy/iggy.h>

const char *iggy_version_str(void)
{
    return IGGY_VERSION_STR;
}

int iggy_version_num(void)
{
    return IGGY_VERSION_NUM;
}
