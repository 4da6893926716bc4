/* The configuration parsers (src/iggy_conf.c); byte 0 & 1 picks one (FUZZ_CONF_*):
 *   CONNECTION_STRING  the rest, NUL-terminated, to iggy_conf_set_connection_string: IGGY_OK
 *                      or IGGY_ERR_INVALID_CONNECTION_STRING with a reason in errstr; a
 *                      refused string leaves the conf as it was; applying an accepted one
 *                      again changes nothing;
 *   SET                the rest as name=value to iggy_conf_set (the CLI's -X k=v): IGGY_OK or
 *                      IGGY_ERR__INVALID_ARG with a reason; refused leaves the conf as it was;
 *                      accepted reads back and setting it again changes nothing.
 * The conf is compared through iggy_conf_dump (secrets print as "***"). */
#include <iggy/conf.h>

#include "fuzz_common.h"
#include "iggy_error_internal.h"

static char *dump(const iggy_conf_t *conf)
{
    char *d = iggy_conf_dump(conf);
    FUZZ_CHECK(d != NULL, "iggy_conf_dump");
    return d;
}

static void same_conf(const char *before, const iggy_conf_t *conf, const char *what)
{
    char *after = dump(conf);
    FUZZ_CHECK(strcmp(before, after) == 0, "%s changed the conf:\n--- before\n%s\n--- after\n%s",
               what, before, after);
    iggy_free(after);
}

static void connection_string(iggy_conf_t *conf, const char *s)
{
    char errstr[512] = "", *before = dump(conf);
    iggy_err_t err = iggy_conf_set_connection_string(conf, s, errstr, sizeof errstr);
    FUZZ_CHECK(err == IGGY_OK || err == IGGY_ERR_INVALID_CONNECTION_STRING,
               "connection string \"%s\": error %d (%s)", s, (int)err, errstr);
    if (err != IGGY_OK) {
        FUZZ_CHECK(errstr[0] != '\0', "connection string \"%s\" refused without a reason", s);
        same_conf(before, conf, "a refused connection string");
    } else {
        char *accepted = dump(conf);
        err = iggy_conf_set_connection_string(conf, s, errstr, sizeof errstr);
        FUZZ_CHECK(err == IGGY_OK, "\"%s\" accepted once, then refused: %s", s, errstr);
        same_conf(accepted, conf, "applying an accepted connection string again");
        iggy_free(accepted);
    }
    iggy_free(before);
}

static void set(iggy_conf_t *conf, char *kv)
{
    char errstr[512] = "", *before = dump(conf), *eq = strchr(kv, '='), value[1024];
    const char *name = kv, *val = "";
    size_t vlen = sizeof value;
    iggy_err_t err;
    if (eq) {
        *eq = '\0';
        val = eq + 1;
    }
    err = iggy_conf_set(conf, name, val, errstr, sizeof errstr);
    FUZZ_CHECK(err == IGGY_OK || err == IGGY_ERR__INVALID_ARG, "set \"%s\"=\"%s\": error %d (%s)",
               name, val, (int)err, errstr);
    if (err != IGGY_OK) {
        FUZZ_CHECK(errstr[0] != '\0', "set \"%s\" refused without a reason", name);
        same_conf(before, conf, "a refused iggy_conf_set");
    } else {
        char *accepted = dump(conf);
        err = iggy_conf_get(conf, name, value, &vlen);
        FUZZ_CHECK(err == IGGY_OK || err == IGGY_ERR__MSG_TOO_LARGE, "get \"%s\": %d", name,
                   (int)err);
        err = iggy_conf_set(conf, name, val, errstr, sizeof errstr);
        FUZZ_CHECK(err == IGGY_OK, "\"%s\"=\"%s\" accepted once, then refused: %s", name, val,
                   errstr);
        same_conf(accepted, conf, "setting an accepted value again");
        iggy_free(accepted);
    }
    iggy_free(before);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    iggy_conf_t *conf;
    char *text;
    fuzz_setup();
    if (size < 1)
        return 0;
    text = malloc(size);
    FUZZ_CHECK(text != NULL, "malloc");
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    FUZZ_CHECK(iggy_conf_new(&conf) == IGGY_OK, "iggy_conf_new");
    if ((data[0] & 1) == FUZZ_CONF_CONNECTION_STRING)
        connection_string(conf, text);
    else
        set(conf, text);
    iggy_conf_destroy(conf);
    free(text);
    return 0;
}
