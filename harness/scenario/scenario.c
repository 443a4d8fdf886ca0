/* scenario.c - load and validate a scenario file into struct eh_scenario.
 *
 * The format is documented in scenarios/README.md. jansson parses the file;
 * this module checks every key, type and range and copies the values into
 * plain C structs, so no json_t escapes. jansson does not keep the positions
 * of values, so an error finds its line and column with eh__json_locate(): a
 * small scan of the raw text that follows the same JSON paths
 * ("$.client.steps[2].recv") that the messages name.
 */
#include "scenario.h"
#include "hex.h"

#include "escape.h"
#include "prng.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define QUOTE_MAX_BYTES 40                   /* of a quoted value in a message */
#define PATH_LEN 256                         /* JSON paths in messages */
#define MAX_PAYLOAD 16777216                 /* random, up_to, exactly: bytes */
#define MAX_CLIENTS 64                       /* clients: connections at once */
#define MAX_CLIENTS_BYTES (64 * 1024 * 1024) /* clients: count x random */
#define MAX_REPEAT 10000                     /* repeat: times */
#define MAX_STEP_MS 60000                    /* sleep, pauses and read delays: ms */
#define MAX_TIMEOUT_MS 600000                /* a step's timeout_ms, as the scenario's */

/* ---- names (shared by every report writer) ---- */

#define NAME_OF(tab, v) ((size_t)(v) < sizeof(tab) / sizeof(tab[0]) - 1 ? tab[v] : "?")

static const char *const step_names[] = {
    [EH_STEP_CONNECT] = "connect",
    [EH_STEP_SEND] = "send",
    [EH_STEP_RECV] = "recv",
    [EH_STEP_SHUTDOWN_WRITE] = "shutdown_write",
    [EH_STEP_CLOSE] = "close",
    [EH_STEP_ABORT] = "abort",
    [EH_STEP_SLEEP] = "sleep",
    [EH_STEP_NODELAY] = "nodelay",
    [EH_STEP_STREAM] = "stream",
    [EH_STEP_CLIENTS] = "clients",
    [EH_STEP_REPEAT] = "repeat",
    [EH_STEP_AWAIT_SERVER] = "await_server",
    [EH_STEP_PAUSE_SERVER] = "pause_server",
    NULL,
};
static const char *const expect_names[] = {
    [EH_EXPECT_EXIT] = "exit",
    [EH_EXPECT_SURVIVED] = "survived",
    [EH_EXPECT_EVENT] = "event",
    [EH_EXPECT_SEQUENCE] = "sequence",
    [EH_EXPECT_ECHO] = "echo",
    [EH_EXPECT_CLIENT_PORT] = "client_port",
    [EH_EXPECT_MIRROR] = "mirror",
    [EH_EXPECT_WIRE_ECHO] = "wire_echo",
    [EH_EXPECT_WIRE_CLIENT_PORT] = "wire_client_port",
    [EH_EXPECT_WIRE_SEGMENTS] = "wire_segments",
    [EH_EXPECT_WIRE_CLOSE] = "wire_close",
    [EH_EXPECT_WIRE_CONNECTIONS] = "wire_connections",
    [EH_EXPECT_WIRE_SYN] = "wire_syn",
    [EH_EXPECT_WIRE_UDP] = "wire_udp",
    [EH_EXPECT_CONN_ECHO] = "conn_echo",
    [EH_EXPECT_CLIENTS_SERVED] = "clients_served",
    [EH_EXPECT_CLIENTS_CONCURRENT] = "clients_concurrent",
    [EH_EXPECT_DATAGRAM_ECHO] = "datagram_echo",
    [EH_EXPECT_SERVER_FDS] = "server_fds",
    [EH_EXPECT_SERVER_RUNNING] = "server_running",
    [EH_EXPECT_CLIENT_ENDS] = "client_ends",
    [EH_EXPECT_SERVER_PORT] = "server_port",
    [EH_EXPECT_WIRE_CLIENT_READS_ECHO] = "wire_client_reads_echo",
    NULL,
};
static const char *const after_names[] = {
    [EH_AFTER_ECHO] = "echo",
    [EH_AFTER_SERVER_CLOSE] = "server_close",
    [EH_AFTER_REFUSED] = "refused",
    [EH_AFTER_NO_REPLY] = "no_reply",
    NULL,
};
static const char *const status_names[] = {
    [EH_STATUS_ZERO] = "zero",
    [EH_STATUS_NONZERO] = "nonzero",
    [EH_STATUS_ANY] = "any",
    NULL,
};
static const char *const relation_names[] = {
    [EH_ECHO_EXACT] = "exact",
    [EH_ECHO_PREFIX] = "prefix",
    [EH_ECHO_NONEMPTY_PREFIX] = "nonempty_prefix",
    NULL,
};
static const char *const kind_names[] = {"behaviour", "conformance", NULL};

const char *eh_step_name(enum eh_step_kind k)
{
    return NAME_OF(step_names, k);
}

const char *eh_expect_name(enum eh_expect_kind k)
{
    return NAME_OF(expect_names, k);
}

const char *eh_echo_relation_name(enum eh_echo_relation r)
{
    return NAME_OF(relation_names, r);
}

const char *eh_client_after_name(enum eh_client_after a)
{
    return NAME_OF(after_names, a);
}

const char *eh_exit_status_name(enum eh_exit_status st)
{
    return NAME_OF(status_names, st);
}

/* ---- the position index: JSON path -> line:col in the raw text ---- */

struct scan {
    const char *p;       /* next byte */
    int line, col;       /* of p; col counts UTF-8 characters, as jansson does */
    const char *want;    /* the path looked for */
    bool key;            /* report a member's name rather than its value */
    char path[PATH_LEN]; /* path of the value being scanned */
    size_t plen;         /* its length; >= PATH_LEN: too long, matches nothing */
    bool found;
    int found_line, found_col;
};

static void adv(struct scan *s)
{
    if (*s->p == '\0')
        return;
    if (*s->p == '\n') {
        s->line++;
        s->col = 1;
    } else if (((unsigned char)s->p[1] & 0xC0) != 0x80) {
        s->col++; /* the next byte starts a character */
    }
    s->p++;
}

static void skip_ws(struct scan *s)
{
    while (*s->p != '\0' && strchr(" \t\r\n", *s->p))
        adv(s);
}

static void put(struct scan *s, char ch)
{
    if (s->plen + 1 < PATH_LEN) {
        s->path[s->plen] = ch;
        s->path[s->plen + 1] = '\0';
    }
    s->plen++;
}

static void put_utf8(struct scan *s, unsigned cp)
{
    if (cp < 0x80) {
        put(s, (char)cp);
    } else if (cp < 0x800) {
        put(s, (char)(0xC0 | cp >> 6));
        put(s, (char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        put(s, (char)(0xE0 | cp >> 12));
        put(s, (char)(0x80 | (cp >> 6 & 0x3F)));
        put(s, (char)(0x80 | (cp & 0x3F)));
    } else {
        put(s, (char)(0xF0 | cp >> 18));
        put(s, (char)(0x80 | (cp >> 12 & 0x3F)));
        put(s, (char)(0x80 | (cp >> 6 & 0x3F)));
        put(s, (char)(0x80 | (cp & 0x3F)));
    }
}

static void pop(struct scan *s, size_t old_len)
{
    s->plen = old_len;
    if (old_len < PATH_LEN)
        s->path[old_len] = '\0';
}

static void here(struct scan *s, int line, int col)
{
    if (!s->found && s->plen < PATH_LEN && strcmp(s->path, s->want) == 0) {
        s->found = true;
        s->found_line = line;
        s->found_col = col;
    }
}

/* Reads the 4 hex digits of a \u escape at s->p (stops early at a non-digit). */
static unsigned hex4(struct scan *s)
{
    unsigned v = 0;
    for (int i = 0; i < 4 && isxdigit((unsigned char)*s->p); i++, adv(s))
        v = v * 16 +
            (unsigned)(isdigit((unsigned char)*s->p) ? *s->p - '0' : (*s->p | 0x20) - 'a' + 10);
    return v;
}

/* Scans a string starting at its quote; with keep, appends the decoded bytes to the path. */
static void scan_string(struct scan *s, bool keep)
{
    static const char esc_from[] = "bfnrt", esc_to[] = "\b\f\n\r\t";
    adv(s);
    while (*s->p != '\0' && *s->p != '"') {
        char ch = *s->p;
        adv(s);
        if (ch == '\\' && *s->p == 'u') {
            adv(s);
            unsigned cp = hex4(s);
            if (cp >= 0xD800 && cp < 0xDC00 && s->p[0] == '\\' && s->p[1] == 'u') {
                adv(s);
                adv(s);
                cp = 0x10000 + ((cp - 0xD800) << 10) + (hex4(s) - 0xDC00);
            }
            if (keep)
                put_utf8(s, cp);
            continue;
        }
        if (ch == '\\') {
            const char *e = *s->p ? strchr(esc_from, *s->p) : NULL;
            ch = e ? esc_to[e - esc_from] : *s->p; /* \" \\ \/ stand for themselves */
            adv(s);
        }
        if (keep)
            put(s, ch);
    }
    adv(s);
}

static void scan_value(struct scan *s);

static void scan_object(struct scan *s)
{
    adv(s);
    for (skip_ws(s); *s->p == '"'; skip_ws(s)) {
        int line = s->line, col = s->col;
        size_t old = s->plen;
        put(s, '.');
        scan_string(s, true);
        if (s->key)
            here(s, line, col);
        skip_ws(s);
        adv(s); /* ':' */
        scan_value(s);
        pop(s, old);
        skip_ws(s);
        if (*s->p != ',')
            break;
        adv(s);
    }
    adv(s); /* '}' */
}

static void scan_array(struct scan *s)
{
    adv(s);
    skip_ws(s);
    for (size_t i = 0; *s->p != '\0' && *s->p != ']'; i++) {
        char seg[32];
        size_t old = s->plen;
        snprintf(seg, sizeof(seg), "[%zu]", i);
        for (const char *q = seg; *q; q++)
            put(s, *q);
        scan_value(s);
        pop(s, old);
        skip_ws(s);
        if (*s->p != ',')
            break;
        adv(s);
    }
    adv(s); /* ']' */
}

static void scan_value(struct scan *s)
{
    skip_ws(s);
    here(s, s->line, s->col);
    if (*s->p == '{')
        scan_object(s);
    else if (*s->p == '[')
        scan_array(s);
    else if (*s->p == '"')
        scan_string(s, false);
    else
        while (*s->p != '\0' && !strchr(",]}: \t\r\n", *s->p))
            adv(s); /* number, true, false, null */
}

bool eh__json_locate(const char *text, const char *path, bool key, int *line, int *col)
{
    struct scan s = {
        .p = text, .line = 1, .col = 1, .want = path, .key = key, .path = "$", .plen = 1};
    scan_value(&s);
    if (s.found) {
        *line = s.found_line;
        *col = s.found_col;
    }
    return s.found;
}

/* ---- validation helpers ---- */

struct ctx {
    const char *file;
    const char *text; /* the whole file, NUL-terminated */
    struct eh_error *err;
    enum eh_transport transport; /* the scenario's, once read: some steps and kinds need one */
    bool scripted;               /* the client has steps (read before the expectations) */
    bool in_repeat;              /* parsing the steps of a repeat */
    bool in_pause;               /* parsing the steps of a pause_server */
};

/* s with control characters as \xNN, for a terminal (a member name may hold any). */
static const char *printable(const char *s, char *buf, size_t len)
{
    eh_escape_buf(buf, len, s, strlen(s), EH_ESC_ASCII);
    return buf;
}

/* Records "FILE:LINE:COL: PATH: what" with the position of the value at path
 * (of its member name with at_key) and returns false. */
__attribute__((format(printf, 4, 5))) static bool fail(struct ctx *c, const char *path, bool at_key,
                                                       const char *fmt, ...)
{
    char what[768], shown[PATH_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    int line, col;
    printable(path, shown, sizeof(shown));
    if (eh__json_locate(c->text, path, at_key, &line, &col))
        eh_error_set(c->err, "%s:%d:%d: %s: %s", c->file, line, col, shown, what);
    else
        eh_error_set(c->err, "%s: %s: %s", c->file, shown, what);
    return false;
}

static void *alloc(struct ctx *c, size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (p == NULL)
        eh_error_set(c->err, "%s: out of memory", c->file);
    return p;
}

static char *copy_str(struct ctx *c, const char *s)
{
    char *p = alloc(c, strlen(s) + 1);
    return p ? strcpy(p, s) : NULL;
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
        return "integer";
    case JSON_REAL:
        return "real";
    case JSON_TRUE:
        return "true";
    case JSON_FALSE:
        return "false";
    case JSON_NULL:
        return "null";
    }
    return "?";
}

/* s in double quotes, non-printable bytes as \xNN, cut after 40 bytes. */
static const char *quote(const char *s, char *buf, size_t len)
{
    size_t slen = strlen(s), shown = slen > QUOTE_MAX_BYTES ? QUOTE_MAX_BYTES : slen;
    buf[0] = '"';
    eh_escape_buf(buf + 1, len - 5, s, shown, EH_ESC_QUOTED);
    snprintf(buf + strlen(buf), 5, "%s\"", shown < slen ? "..." : "");
    return buf;
}

/* names joined as "a, b, c" (quoted: "\"a\", \"b\""), or "none". */
static const char *join(const char *const names[], bool quoted, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; names[i] && n < len; i++)
        n += (size_t)snprintf(buf + n, len - n, quoted ? "%s\"%s\"" : "%s%s", i ? ", " : "",
                              names[i]);
    return names[0] ? buf : "none";
}

/* Formats a JSON path into buf, cut to len bytes if longer. */
__attribute__((format(printf, 3, 4))) static void pathf(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

static void child(char *buf, const char *path, const char *key)
{
    pathf(buf, PATH_LEN, "%s.%s", path, key);
}

/* The path of item i of a list, or of the single value standing for one. */
static void item_path(char *buf, const char *path, const json_t *list, size_t i)
{
    if (json_is_array(list))
        pathf(buf, PATH_LEN, "%s[%zu]", path, i);
    else
        pathf(buf, PATH_LEN, "%s", path);
}

static bool is_object(struct ctx *c, const json_t *v, const char *path)
{
    return json_is_object(v) || fail(c, path, false, "expected object, got %s", type_name(v));
}

/* Rejects a member of obj that is not in allowed; noun says what members are. */
static bool check_keys(struct ctx *c, json_t *obj, const char *path, const char *const allowed[],
                       const char *noun)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        size_t i = 0;
        while (allowed[i] && strcmp(allowed[i], key) != 0)
            i++;
        if (allowed[i] == NULL) {
            char p[PATH_LEN], list[256];
            child(p, path, key);
            return fail(c, p, true, "unknown %s; allowed: %s", noun,
                        join(allowed, false, list, sizeof(list)));
        }
    }
    return true;
}

/* Sets *which to the one of names[] that obj holds; fails unless there is exactly one. */
static bool exactly_one(struct ctx *c, json_t *obj, const char *path, const char *const names[],
                        int *which)
{
    int n = 0;
    for (int i = 0; names[i]; i++) {
        if (json_object_get(obj, names[i]) != NULL && n++ == 0)
            *which = i;
    }
    if (n == 1)
        return true;
    char list[256];
    return fail(c, path, false, "expected exactly one of %s, got %d",
                join(names, false, list, sizeof(list)), n);
}

/* Looks up obj.key into *v and its path into p. With has NULL the key is
 * required; otherwise *has tells whether it is there. */
static bool member(struct ctx *c, json_t *obj, const char *path, const char *key, bool *has,
                   json_t **v, char *p)
{
    *v = json_object_get(obj, key);
    child(p, path, key);
    if (has != NULL)
        *has = *v != NULL;
    return *v != NULL || has != NULL || fail(c, path, false, "missing required key \"%s\"", key);
}

static bool int_value(struct ctx *c, const json_t *v, const char *p, int64_t lo, int64_t hi,
                      int64_t *out)
{
    if (!json_is_integer(v))
        return fail(c, p, false, "expected integer, got %s", type_name(v));
    int64_t n = json_integer_value(v);
    if (n >= lo && n <= hi) {
        *out = n;
        return true;
    }
    if (hi == INT64_MAX)
        return fail(c, p, false, "expected integer >= %lld, got %lld", (long long)lo, (long long)n);
    return fail(c, p, false, "expected integer %lld..%lld, got %lld", (long long)lo, (long long)hi,
                (long long)n);
}

/* The getters leave *out alone when an optional key is absent (the caller set the default). */
static bool get_int(struct ctx *c, json_t *obj, const char *path, const char *key, int64_t lo,
                    int64_t hi, int64_t *out, bool *has)
{
    json_t *v;
    char p[PATH_LEN];
    if (!member(c, obj, path, key, has, &v, p))
        return false;
    return v == NULL || int_value(c, v, p, lo, hi, out);
}

static bool get_bool(struct ctx *c, json_t *obj, const char *path, const char *key, bool *out,
                     bool *has)
{
    json_t *v;
    char p[PATH_LEN];
    if (!member(c, obj, path, key, has, &v, p))
        return false;
    if (v != NULL && !json_is_boolean(v))
        return fail(c, p, false, "expected boolean, got %s", type_name(v));
    if (v != NULL)
        *out = json_is_true(v);
    return true;
}

/* A non-empty string, copied into *out. */
static bool get_str(struct ctx *c, json_t *obj, const char *path, const char *key, char **out,
                    bool *has)
{
    json_t *v;
    char p[PATH_LEN];
    if (!member(c, obj, path, key, has, &v, p))
        return false;
    if (v == NULL)
        return true;
    if (!json_is_string(v) || json_string_length(v) == 0)
        return fail(c, p, false, "expected non-empty string, got %s",
                    json_is_string(v) ? "\"\"" : type_name(v));
    free(*out);
    return (*out = copy_str(c, json_string_value(v))) != NULL;
}

/* One of names[]; *out is its index. */
static bool get_enum(struct ctx *c, json_t *obj, const char *path, const char *key,
                     const char *const names[], int *out, bool *has)
{
    json_t *v;
    char p[PATH_LEN], list[256], got[64];
    if (!member(c, obj, path, key, has, &v, p))
        return false;
    if (v == NULL)
        return true;
    for (int i = 0; json_is_string(v) && names[i]; i++) {
        if (strcmp(names[i], json_string_value(v)) == 0) {
            *out = i;
            return true;
        }
    }
    return fail(c, p, false, "expected one of %s, got %s", join(names, true, list, sizeof(list)),
                json_is_string(v) ? quote(json_string_value(v), got, sizeof(got)) : type_name(v));
}

/* A non-empty array at obj.key; *out stays NULL when an optional key is absent. */
static bool get_array(struct ctx *c, json_t *obj, const char *path, const char *key, json_t **out,
                      bool *has)
{
    char p[PATH_LEN];
    if (!member(c, obj, path, key, has, out, p))
        return false;
    if (*out == NULL)
        return true;
    if (!json_is_array(*out))
        return fail(c, p, false, "expected array, got %s", type_name(*out));
    return json_array_size(*out) > 0 || fail(c, p, false, "expected non-empty array, got []");
}

/* A list at p: an array, or with single_ok also one value standing for a
 * list of one (then the list must not be empty). Sets *n. */
static bool list_of(struct ctx *c, const json_t *v, const char *p, bool single_ok, size_t max,
                    size_t *n)
{
    if (!json_is_array(v) && !single_ok)
        return fail(c, p, false, "expected array, got %s", type_name(v));
    *n = json_is_array(v) ? json_array_size(v) : 1;
    if (*n == 0 && single_ok)
        return fail(c, p, false, "expected a value or a non-empty array, got []");
    if (*n > max)
        return fail(c, p, false, "expected at most %zu values, got %zu", max, *n);
    return true;
}

static json_t *item(json_t *list, size_t i)
{
    return json_is_array(list) ? json_array_get(list, i) : list;
}

/* Returns the string to keep for s, or NULL if s is not acceptable. */
typedef const char *(*str_check)(const char *s);

static const char *check_tag(const char *s)
{
    return s[0] != '\0' && s[strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-")] == '\0' ? s : NULL;
}

static const char *check_errno(const char *s)
{
    int e = eh_errno_from_name(s);
    return e < 0 ? NULL : eh_errno_name(e); /* EWOULDBLOCK is logged as EAGAIN */
}

static const char *check_reason(const char *s)
{
    static const char *const words[] = {"eof", "timeout", "done", NULL};
    for (int i = 0; words[i]; i++)
        if (strcmp(s, words[i]) == 0)
            return s;
    return check_errno(s);
}

/* An optional list of strings at obj.key, each passing check (NULL: any),
 * which describes what it wants in what. */
static bool get_strs(struct ctx *c, json_t *obj, const char *path, const char *key, bool single_ok,
                     str_check check, const char *what, char ***out, size_t *n_out)
{
    json_t *v = json_object_get(obj, key);
    char p[PATH_LEN], ip[PATH_LEN], got[64];
    size_t n;
    if (v == NULL)
        return true;
    child(p, path, key);
    if (!list_of(c, v, p, single_ok, SIZE_MAX / sizeof(char *) - 1, &n))
        return false;
    if ((*out = alloc(c, n * sizeof(char *))) == NULL)
        return false;
    *n_out = n; /* zeroed entries free as NULL if an item fails */
    for (size_t i = 0; i < n; i++) {
        json_t *s = item(v, i);
        item_path(ip, p, v, i);
        if (!json_is_string(s))
            return fail(c, ip, false, "expected %s, got %s", what, type_name(s));
        const char *keep = check ? check(json_string_value(s)) : json_string_value(s);
        if (keep == NULL)
            return fail(c, ip, false, "expected %s, got %s", what,
                        quote(json_string_value(s), got, sizeof(got)));
        if (((*out)[i] = copy_str(c, keep)) == NULL)
            return false;
    }
    return true;
}

static void free_strs(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* ---- steps ---- */

static bool parse_match(struct ctx *c, json_t *obj, const char *path, struct eh_match *m);

/* The payload of send and stream: exactly one of text, hex and random
 * (with seed); text and hex are expanded into st->data, random is made
 * when the step runs (eh_step_bytes()). */
static bool parse_payload(struct ctx *c, json_t *body, const char *p, struct eh_step *st)
{
    static const char *const payloads[] = {"text", "hex", "random", NULL};
    int which = 0;
    char vp[PATH_LEN];
    if (!exactly_one(c, body, p, payloads, &which))
        return false;
    json_t *v = json_object_get(body, payloads[which]);
    child(vp, p, payloads[which]);
    if (which == 2) {
        int64_t n = 0, seed = 0;
        if (!int_value(c, v, vp, 1, MAX_PAYLOAD, &n) ||
            !get_int(c, body, p, "seed", 0, INT64_MAX, &seed, NULL))
            return false;
        st->random = true;
        st->seed = (uint64_t)seed;
        st->data_len = (size_t)n;
        return true;
    }
    if (json_object_get(body, "seed") != NULL) {
        child(vp, p, "seed");
        return fail(c, vp, true, "only allowed with \"random\"");
    }
    if (!json_is_string(v))
        return fail(c, vp, false, "expected string, got %s", type_name(v));
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (which == 0) {
        if ((st->data = alloc(c, len)) == NULL)
            return false;
        memcpy(st->data, s, len);
        st->data_len = len;
        return true;
    }
    size_t bad = strspn(s, "0123456789abcdefABCDEF");
    char got[64];
    if (bad < len)
        return fail(c, vp, false, "expected hex digits, got %s at offset %zu",
                    quote((char[]){s[bad], '\0'}, got, sizeof(got)), bad);
    if (len % 2 != 0)
        return fail(c, vp, false, "expected an even number of hex digits, got %zu", len);
    if ((st->data = alloc(c, len / 2)) == NULL)
        return false;
    eh_hex_decode(s, len / 2, st->data, NULL); /* the digits were checked above */
    st->data_len = len / 2;
    return true;
}

/* "chunk" (a size, or a list of up to EH_MAX_CHUNKS sizes, cycled) and
 * "pause_ms", both optional. */
static bool parse_pacing(struct ctx *c, json_t *body, const char *p, struct eh_step *st)
{
    json_t *v = json_object_get(body, "chunk");
    char cp[PATH_LEN], ip[PATH_LEN];
    bool has;
    if (!get_int(c, body, p, "pause_ms", 0, MAX_STEP_MS, &st->pause_ms, &has))
        return false;
    if (v == NULL)
        return true;
    child(cp, p, "chunk");
    if (!list_of(c, v, cp, true, EH_MAX_CHUNKS, &st->n_chunks))
        return false;
    for (size_t i = 0; i < st->n_chunks; i++) {
        int64_t n = 0;
        item_path(ip, cp, v, i);
        if (!int_value(c, item(v, i), ip, 1, MAX_PAYLOAD, &n))
            return false;
        st->chunks[i] = (size_t)n;
    }
    return true;
}

/* The optional "timeout_ms" of recv, stream and clients. */
static bool get_timeout(struct ctx *c, json_t *body, const char *p, struct eh_step *st)
{
    bool has;
    return get_int(c, body, p, "timeout_ms", 1, MAX_TIMEOUT_MS, &st->timeout_ms, &has);
}

static bool parse_send(struct ctx *c, json_t *body, const char *p, struct eh_step *st)
{
    static const char *const keys[] = {"text", "hex", "random", "seed", "chunk", "pause_ms", NULL};
    return check_keys(c, body, p, keys, "key") && parse_payload(c, body, p, st) &&
           parse_pacing(c, body, p, st);
}

static bool parse_recv(struct ctx *c, json_t *body, const char *p, struct eh_step *st)
{
    static const char *const keys[] = {"up_to", "exactly", "until_eof", "timeout_ms", NULL};
    static const char *const modes[] = {"up_to", "exactly", "until_eof", NULL};
    int which = 0;
    int64_t n = 0;
    bool eof = false;
    if (!check_keys(c, body, p, keys, "key") || !exactly_one(c, body, p, modes, &which) ||
        !get_timeout(c, body, p, st))
        return false;
    if (which == 2) {
        char vp[PATH_LEN];
        child(vp, p, "until_eof");
        st->recv_mode = EH_RECV_UNTIL_EOF;
        return get_bool(c, body, p, "until_eof", &eof, NULL) &&
               (eof || fail(c, vp, false, "expected true, got false"));
    }
    st->recv_mode = which == 0 ? EH_RECV_UP_TO : EH_RECV_EXACTLY;
    if (!get_int(c, body, p, modes[which], 1, MAX_PAYLOAD, &n, NULL))
        return false;
    st->recv_bytes = (size_t)n;
    return true;
}

/* {"await_server": {"match": MATCH, "ms": 2000}} */
static bool parse_await(struct ctx *c, json_t *body, const char *p, struct eh_step *st)
{
    static const char *const keys[] = {"match", "ms", NULL};
    json_t *m;
    char mp[PATH_LEN];
    bool has;
    st->sleep_ms = EH_DEFAULT_AWAIT_MS;
    return check_keys(c, body, p, keys, "key") && member(c, body, p, "match", NULL, &m, mp) &&
           (st->await = alloc(c, sizeof(*st->await))) != NULL && parse_match(c, m, mp, st->await) &&
           get_int(c, body, p, "ms", 1, 60000, &st->sleep_ms, &has);
}

static bool parse_stream(struct ctx *c, json_t *body, const char *p, struct eh_step *st)
{
    static const char *const keys[] = {"text",          "hex",      "random",     "seed",
                                       "chunk",         "pause_ms", "read_size",  "read_delay_ms",
                                       "read_pause_ms", "shutdown", "timeout_ms", NULL};
    int64_t read_size = 65536;
    bool has_size, has_delay, has_pause, has_shutdown;
    char sp[PATH_LEN];
    if (!check_keys(c, body, p, keys, "key") || !parse_payload(c, body, p, st) ||
        !parse_pacing(c, body, p, st) ||
        !get_int(c, body, p, "read_size", 1, MAX_PAYLOAD, &read_size, &has_size) ||
        !get_int(c, body, p, "read_delay_ms", 0, MAX_STEP_MS, &st->read_delay_ms, &has_delay) ||
        !get_int(c, body, p, "read_pause_ms", 0, MAX_STEP_MS, &st->read_pause_ms, &has_pause) ||
        !get_bool(c, body, p, "shutdown", &st->shutdown, &has_shutdown) ||
        !get_timeout(c, body, p, st))
        return false;
    st->read_size = (size_t)read_size;
    child(sp, p, "shutdown");
    if (has_shutdown && c->transport != EH_TCP)
        return fail(c, sp, true, "only allowed in tcp scenarios");
    return true;
}

static bool parse_clients(struct ctx *c, json_t *body, const char *p, struct eh_step *st)
{
    static const char *const keys[] = {"count",    "random",     "seed", "chunk",
                                       "pause_ms", "timeout_ms", NULL};
    int64_t bytes = 0, seed = 0;
    char rp[PATH_LEN];
    if (!check_keys(c, body, p, keys, "key") ||
        !get_int(c, body, p, "count", 1, MAX_CLIENTS, &st->count, NULL) ||
        !get_int(c, body, p, "random", 1, MAX_PAYLOAD, &bytes, NULL) ||
        !get_int(c, body, p, "seed", 0, INT64_MAX, &seed, NULL) || !parse_pacing(c, body, p, st) ||
        !get_timeout(c, body, p, st))
        return false;
    st->client_bytes = (size_t)bytes;
    st->seed = (uint64_t)seed;
    child(rp, p, "random");
    if (bytes * st->count > MAX_CLIENTS_BYTES)
        return fail(c, rp, false, "expected count x random <= %d bytes, got %lld x %lld",
                    MAX_CLIENTS_BYTES, (long long)st->count, (long long)bytes);
    return true;
}

static bool parse_step(struct ctx *c, json_t *v, const char *path, struct eh_step *st);

/* The "steps" of a repeat or pause_server into st->steps, with *flag set
 * while they are parsed (a repeat holds no repeat, a pause_server no
 * pause_server). */
static bool parse_nested(struct ctx *c, json_t *body, const char *p, struct eh_step *st, bool *flag)
{
    json_t *steps;
    char sp[PATH_LEN], ip[PATH_LEN];
    if (!get_array(c, body, p, "steps", &steps, NULL) ||
        (st->steps = alloc(c, json_array_size(steps) * sizeof(*st->steps))) == NULL)
        return false;
    st->n_steps = json_array_size(steps); /* zeroed steps free cleanly */
    child(sp, p, "steps");
    *flag = true;
    bool ok = true;
    for (size_t i = 0; i < st->n_steps && ok; i++) {
        item_path(ip, sp, steps, i);
        ok = parse_step(c, json_array_get(steps, i), ip, &st->steps[i]);
    }
    *flag = false;
    return ok;
}

static bool parse_repeat(struct ctx *c, json_t *body, const char *p, struct eh_step *st)
{
    static const char *const keys[] = {"count", "steps", NULL};
    return check_keys(c, body, p, keys, "key") &&
           get_int(c, body, p, "count", 1, MAX_REPEAT, &st->count, NULL) &&
           parse_nested(c, body, p, st, &c->in_repeat);
}

/* {"pause_server": {"steps": [...]}} */
static bool parse_pause(struct ctx *c, json_t *body, const char *p, struct eh_step *st)
{
    static const char *const keys[] = {"steps", NULL};
    return check_keys(c, body, p, keys, "key") && parse_nested(c, body, p, st, &c->in_pause);
}

static bool parse_step(struct ctx *c, json_t *v, const char *path, struct eh_step *st)
{
    static const char *const none[] = {NULL};
    static const char *const sleep_keys[] = {"ms", NULL};
    int which = 0;
    char p[PATH_LEN];
    pathf(st->path, sizeof(st->path), "%s", path);
    if (!is_object(c, v, path) || !check_keys(c, v, path, step_names, "step") ||
        !exactly_one(c, v, path, step_names, &which))
        return false;
    st->kind = (enum eh_step_kind)which;
    json_t *body = json_object_get(v, step_names[which]);
    child(p, path, step_names[which]);
    if (st->kind == EH_STEP_REPEAT && c->in_repeat)
        return fail(c, p, true, "not allowed inside repeat");
    if (st->kind == EH_STEP_PAUSE_SERVER && c->in_pause)
        return fail(c, p, true, "not allowed inside pause_server");
    if (st->kind == EH_STEP_NODELAY && c->transport != EH_TCP)
        return fail(c, p, true, "only allowed in tcp scenarios");
    if (!is_object(c, body, p))
        return false;
    switch (st->kind) {
    case EH_STEP_CONNECT:
    case EH_STEP_SHUTDOWN_WRITE:
    case EH_STEP_CLOSE:
    case EH_STEP_ABORT:
    case EH_STEP_NODELAY:
        return check_keys(c, body, p, none, "key");
    case EH_STEP_SEND:
        return parse_send(c, body, p, st);
    case EH_STEP_RECV:
        return parse_recv(c, body, p, st);
    case EH_STEP_SLEEP:
        return check_keys(c, body, p, sleep_keys, "key") &&
               get_int(c, body, p, "ms", 0, MAX_STEP_MS, &st->sleep_ms, NULL);
    case EH_STEP_STREAM:
        return parse_stream(c, body, p, st);
    case EH_STEP_CLIENTS:
        return parse_clients(c, body, p, st);
    case EH_STEP_REPEAT:
        return parse_repeat(c, body, p, st);
    case EH_STEP_AWAIT_SERVER:
        return parse_await(c, body, p, st);
    case EH_STEP_PAUSE_SERVER:
        return parse_pause(c, body, p, st);
    }
    return false;
}

/* ---- roles ---- */

/* The server's "absent": true (no server at all: nothing listens) or
 * "ready": false (it is expected to end without becoming ready). Sets
 * *absent; fails on absent with any other key. */
static bool parse_server_presence(struct ctx *c, json_t *obj, const char *path, struct eh_role *r,
                                  bool *absent)
{
    static const char *const others[] = {"under_test", "program", "args", "ready", NULL};
    bool has, ready = true;
    char p[PATH_LEN];
    *absent = false;
    child(p, path, "absent");
    if (!get_bool(c, obj, path, "absent", absent, &has) ||
        (has && !*absent && !fail(c, p, false, "expected true (or no \"absent\"), got false")))
        return false;
    for (int i = 0; *absent && others[i]; i++) {
        child(p, path, others[i]);
        if (json_object_get(obj, others[i]) != NULL)
            return fail(c, p, true, "not allowed together with \"absent\"");
    }
    if (!get_bool(c, obj, path, "ready", &ready, &has))
        return false;
    r->no_ready = !ready;
    r->present = !*absent;
    return true;
}

static bool parse_role(struct ctx *c, json_t *obj, const char *path, enum eh_role_id id,
                       struct eh_role *r)
{
    static const char *const server_keys[] = {"under_test", "program", "args",
                                              "absent",     "ready",   NULL};
    static const char *const client_keys[] = {"under_test", "program", "args", "steps", NULL};
    static const char *const excluded[] = {"under_test", "program", "args", NULL};
    json_t *steps = NULL;
    bool has;
    r->present = true;
    if ((r->program = copy_str(c, id == EH_SERVER ? "echo-server" : "echo-client")) == NULL)
        return false;
    if (obj == NULL)
        return true;
    bool absent = false;
    if (!is_object(c, obj, path) ||
        !check_keys(c, obj, path, id == EH_SERVER ? server_keys : client_keys, "key") ||
        (id == EH_SERVER && !parse_server_presence(c, obj, path, r, &absent)))
        return false;
    if (absent)
        return true;
    if (json_object_get(obj, "steps") != NULL) {
        for (int i = 0; excluded[i]; i++) {
            char p[PATH_LEN];
            child(p, path, excluded[i]);
            if (json_object_get(obj, excluded[i]) != NULL)
                return fail(c, p, true, "not allowed together with \"steps\"");
        }
        if (!get_array(c, obj, path, "steps", &steps, NULL))
            return false;
        char sp[PATH_LEN], ip[PATH_LEN];
        child(sp, path, "steps");
        if ((r->steps = alloc(c, json_array_size(steps) * sizeof(*r->steps))) == NULL)
            return false;
        r->n_steps = json_array_size(steps); /* zeroed steps free cleanly */
        for (size_t i = 0; i < r->n_steps; i++) {
            item_path(ip, sp, steps, i);
            if (!parse_step(c, json_array_get(steps, i), ip, &r->steps[i]))
                return false;
        }
        return true;
    }
    return get_bool(c, obj, path, "under_test", &r->under_test, &has) &&
           get_str(c, obj, path, "program", &r->program, &has) &&
           get_strs(c, obj, path, "args", false, NULL, "string", &r->args, &r->n_args);
}

/* ---- expectations ---- */

/* An address pattern at obj.key: "127.0.0.1:65432", "[::1]:65432", or
 * with "*" for any port. */
static bool get_addr_pattern(struct ctx *c, json_t *obj, const char *path, const char *key,
                             char **out)
{
    bool has;
    char p[PATH_LEN], got[64], host[INET6_ADDRSTRLEN + 2];
    unsigned char bin[sizeof(struct in6_addr)];
    if (!get_str(c, obj, path, key, out, &has))
        return false;
    if (!has)
        return true;
    const char *a = *out, *colon = strrchr(a, ':');
    size_t hlen = colon ? (size_t)(colon - a) : 0;
    bool v6 = a[0] == '[';
    bool ok = colon != NULL && hlen > 0 && hlen < sizeof(host) &&
              (!v6 || (hlen > 2 && a[hlen - 1] == ']'));
    if (ok) {
        memcpy(host, a + v6, hlen - 2 * v6);
        host[hlen - 2 * v6] = '\0';
        char *end;
        long port = strtol(colon + 1, &end, 10);
        ok = inet_pton(v6 ? AF_INET6 : AF_INET, host, bin) == 1 &&
             (strcmp(colon + 1, "*") == 0 ||
              (isdigit((unsigned char)colon[1]) && *end == '\0' && port <= 65535));
    }
    child(p, path, key);
    return ok || fail(c, p, false,
                      "expected an address as the event log writes it (\"127.0.0.1:65432\", "
                      "\"[::1]:65432\", a port of * for any), got %s",
                      quote(a, got, sizeof(got)));
}

/* "elapsed_ms": {"near": N, "tolerance": T, "scaled": false} */
static bool get_elapsed(struct ctx *c, json_t *obj, const char *path, struct eh_match *m)
{
    bool has;
    static const char *const keys[] = {"near", "tolerance", "scaled", NULL};
    json_t *v;
    char p[PATH_LEN];
    if (!member(c, obj, path, "elapsed_ms", &m->has_elapsed, &v, p))
        return false;
    if (v == NULL)
        return true;
    return is_object(c, v, p) && check_keys(c, v, p, keys, "key") &&
           get_int(c, v, p, "near", 0, 3600000, &m->elapsed_near_ms, NULL) &&
           get_int(c, v, p, "tolerance", 0, 3600000, &m->elapsed_tolerance_ms, NULL) &&
           get_bool(c, v, p, "scaled", &m->elapsed_near_scaled, &has);
}

static bool parse_match(struct ctx *c, json_t *obj, const char *path, struct eh_match *m)
{
    static const char *const keys[] = {"call",   "ret",   "ret_min", "ret_max",    "errno",
                                       "reason", "laddr", "raddr",   "elapsed_ms", NULL};
    char p[PATH_LEN];
    bool has_call;
    if (!is_object(c, obj, path) || !check_keys(c, obj, path, keys, "key") ||
        !get_addr_pattern(c, obj, path, "laddr", &m->laddr) ||
        !get_addr_pattern(c, obj, path, "raddr", &m->raddr) || !get_elapsed(c, obj, path, m) ||
        !get_str(c, obj, path, "call", &m->call, &has_call) ||
        !get_int(c, obj, path, "ret", INT64_MIN, INT64_MAX, &m->ret, &m->has_ret) ||
        !get_int(c, obj, path, "ret_min", INT64_MIN, INT64_MAX, &m->ret_min, &m->has_ret_min) ||
        !get_int(c, obj, path, "ret_max", INT64_MIN, INT64_MAX, &m->ret_max, &m->has_ret_max) ||
        !get_strs(c, obj, path, "errno", true, check_errno, "errno name (EPIPE, ECONNRESET, ...)",
                  &m->errnos, &m->n_errnos) ||
        !get_strs(c, obj, path, "reason", true, check_reason, "eof, timeout, done or an errno name",
                  &m->reasons, &m->n_reasons))
        return false;
    child(p, path, "ret_max");
    if (m->has_ret_min && m->has_ret_max && m->ret_min > m->ret_max)
        return fail(c, p, false, "expected ret_max >= ret_min (%lld), got %lld",
                    (long long)m->ret_min, (long long)m->ret_max);
    return true;
}

static bool parse_signal(struct ctx *c, json_t *v, const char *p, int *out)
{
    char got[64];
    if (json_is_integer(v)) {
        int64_t n = 0;
        if (!int_value(c, v, p, 1, NSIG - 1, &n))
            return false;
        *out = (int)n;
        return true;
    }
    if (!json_is_string(v))
        return fail(c, p, false, "expected signal name or number, got %s", type_name(v));
    const char *s = json_string_value(v);
    int sig = eh_signal_from_name(s);
    if (sig > 0) {
        *out = sig;
        return true;
    }
    return fail(c, p, false, "expected signal name (SIGPIPE, SIGKILL, ...) or number, got %s",
                quote(s, got, sizeof(got)));
}

static bool parse_exit(struct ctx *c, json_t *body, const char *p, struct eh_expect *e)
{
    json_t *codes, *signals;
    bool has_codes, has_signals;
    char cp[PATH_LEN], sp[PATH_LEN], ip[PATH_LEN];
    if (!member(c, body, p, "code", &has_codes, &codes, cp) ||
        !member(c, body, p, "signal", &has_signals, &signals, sp))
        return false;
    if (!has_codes && !has_signals)
        return fail(c, p, false, "expected \"code\" or \"signal\" (or both), got neither");
    if (has_codes && !list_of(c, codes, cp, true, EH_MAX_OUTCOMES, &e->n_codes))
        return false;
    for (size_t i = 0; i < e->n_codes; i++) {
        int64_t n = 0;
        item_path(ip, cp, codes, i);
        if (!int_value(c, item(codes, i), ip, 0, 255, &n))
            return false;
        e->codes[i] = (int)n;
    }
    if (has_signals && !list_of(c, signals, sp, true, EH_MAX_OUTCOMES, &e->n_signals))
        return false;
    for (size_t i = 0; i < e->n_signals; i++) {
        item_path(ip, sp, signals, i);
        if (!parse_signal(c, item(signals, i), ip, &e->signals[i]))
            return false;
    }
    return true;
}

static bool parse_event(struct ctx *c, json_t *body, const char *p, struct eh_expect *e)
{
    json_t *m;
    char mp[PATH_LEN];
    bool has_min, has_max;
    e->min = 1;
    e->max = -1;
    if (!member(c, body, p, "match", NULL, &m, mp) || !parse_match(c, m, mp, &e->match) ||
        !get_int(c, body, p, "min", 0, INT64_MAX, &e->min, &has_min) ||
        !get_int(c, body, p, "max", 0, INT64_MAX, &e->max, &has_max))
        return false;
    child(mp, p, "max");
    if (has_max && e->min > e->max)
        return fail(c, mp, false, "expected max >= min (%lld), got %lld", (long long)e->min,
                    (long long)e->max);
    return true;
}

static bool parse_sequence(struct ctx *c, json_t *body, const char *p, struct eh_expect *e)
{
    json_t *events;
    char ep[PATH_LEN], ip[PATH_LEN];
    child(ep, p, "events");
    if (!get_array(c, body, p, "events", &events, NULL) ||
        (e->seq = alloc(c, json_array_size(events) * sizeof(*e->seq))) == NULL)
        return false;
    e->n_seq = json_array_size(events);
    for (size_t i = 0; i < e->n_seq; i++) {
        item_path(ip, ep, events, i);
        if (!parse_match(c, json_array_get(events, i), ip, &e->seq[i]))
            return false;
    }
    return true;
}

/* A boolean at obj.key that must be true (the only value such keys take). */
static bool get_true(struct ctx *c, json_t *obj, const char *path, const char *key)
{
    bool v = false;
    char p[PATH_LEN];
    child(p, path, key);
    return get_bool(c, obj, path, key, &v, NULL) &&
           (v || fail(c, p, false, "expected true, got false"));
}

static bool get_relation(struct ctx *c, json_t *body, const char *p, struct eh_expect *e)
{
    int relation = 0;
    if (!get_enum(c, body, p, "relation", relation_names, &relation, NULL))
        return false;
    e->relation = (enum eh_echo_relation)relation;
    return true;
}

/* wire_close.class: a close class name (flow.h) or a list of them. */
static bool parse_close_classes(struct ctx *c, json_t *body, const char *path, unsigned *out)
{
    const char *names[EH_CLOSE_COUNT + 1] = {NULL};
    json_t *v;
    size_t n;
    char p[PATH_LEN], ip[PATH_LEN], list[256], got[64];
    if (!member(c, body, path, "class", NULL, &v, p) || !list_of(c, v, p, true, EH_CLOSE_COUNT, &n))
        return false;
    for (int i = 0; i < EH_CLOSE_COUNT; i++)
        names[i] = eh_close_name((enum eh_close_class)i);
    for (size_t i = 0; i < n; i++) {
        json_t *s = item(v, i);
        enum eh_close_class cls;
        item_path(ip, p, v, i);
        if (!json_is_string(s) || !eh_close_parse(json_string_value(s), &cls))
            return fail(
                c, ip, false, "expected one of %s, got %s", join(names, true, list, sizeof(list)),
                json_is_string(s) ? quote(json_string_value(s), got, sizeof(got)) : type_name(s));
        *out |= 1u << cls;
    }
    return true;
}

/* The wire kinds' own keys; `p` is the path of the kind's body. */
static bool parse_wire(struct ctx *c, json_t *body, const char *p, enum eh_transport transport,
                       struct eh_expect *e)
{
    int who = 0;
    bool has_min, has_max, has_u, has_r;
    char kp[PATH_LEN];
    e->transport = transport;
    switch (e->kind) {
    case EH_EXPECT_WIRE_ECHO:
        return get_relation(c, body, p, e) &&
               get_int(c, body, p, "bytes", 0, INT64_MAX, &e->echo_bytes, &e->has_echo_bytes);
    case EH_EXPECT_WIRE_CLIENT_PORT:
        return get_true(c, body, p, "ephemeral");
    case EH_EXPECT_WIRE_CLIENT_READS_ECHO:
        return true;
    case EH_EXPECT_WIRE_UDP:
        return get_true(c, body, p, "boundaries");
    case EH_EXPECT_WIRE_SEGMENTS:
        if (!get_enum(c, body, p, "from", eh_role_names, &who, NULL) ||
            !get_int(c, body, p, "max_payload", 0, 65535, &e->max_payload, NULL))
            return false;
        e->who = (enum eh_role_id)who;
        return true;
    case EH_EXPECT_WIRE_CLOSE:
        if (!parse_close_classes(c, body, p, &e->close_classes) ||
            !get_enum(c, body, p, "first_close_by", eh_role_names, &who, &e->has_first_close_by) ||
            !get_bool(c, body, p, "data_after_close", &e->data_after_close,
                      &e->has_data_after_close))
            return false;
        e->first_close_by = (enum eh_role_id)who;
        return true;
    case EH_EXPECT_WIRE_CONNECTIONS:
        e->min = 1;
        e->max = -1;
        if (!get_int(c, body, p, "min", 0, INT64_MAX, &e->min, &has_min) ||
            !get_int(c, body, p, "max", 0, INT64_MAX, &e->max, &has_max))
            return false;
        child(kp, p, "max");
        return !has_max || e->min <= e->max ||
               fail(c, kp, false, "expected max >= min (%lld), got %lld", (long long)e->min,
                    (long long)e->max);
    case EH_EXPECT_WIRE_SYN:
        e->unanswered_min = e->refused_min = -1;
        if (!get_int(c, body, p, "unanswered_min", 0, INT64_MAX, &e->unanswered_min, &has_u) ||
            !get_int(c, body, p, "refused_min", 0, INT64_MAX, &e->refused_min, &has_r))
            return false;
        return has_u || has_r ||
               fail(c, p, false,
                    "expected \"unanswered_min\" or \"refused_min\" (or both), got neither");
    case EH_EXPECT_EXIT:
    case EH_EXPECT_SURVIVED:
    case EH_EXPECT_EVENT:
    case EH_EXPECT_SEQUENCE:
    case EH_EXPECT_ECHO:
    case EH_EXPECT_CLIENT_PORT:
    case EH_EXPECT_MIRROR:
    case EH_EXPECT_CLIENT_ENDS:
    case EH_EXPECT_SERVER_PORT:
    case EH_EXPECT_CONN_ECHO:
    case EH_EXPECT_CLIENTS_SERVED:
    case EH_EXPECT_CLIENTS_CONCURRENT:
    case EH_EXPECT_DATAGRAM_ECHO:
    case EH_EXPECT_SERVER_FDS:
    case EH_EXPECT_SERVER_RUNNING:
        break;
    }
    return false;
}

/* The transport a kind is restricted to, or -1 when it judges either. */
static int only_transport(enum eh_expect_kind k)
{
    switch (k) {
    case EH_EXPECT_WIRE_CLOSE:
    case EH_EXPECT_WIRE_SYN:
    case EH_EXPECT_CONN_ECHO:
    case EH_EXPECT_CLIENTS_SERVED:
    case EH_EXPECT_CLIENTS_CONCURRENT:
    case EH_EXPECT_WIRE_CLIENT_READS_ECHO:
        return EH_TCP;
    case EH_EXPECT_WIRE_UDP:
    case EH_EXPECT_DATAGRAM_ECHO:
        return EH_UDP;
    case EH_EXPECT_EXIT:
    case EH_EXPECT_SURVIVED:
    case EH_EXPECT_EVENT:
    case EH_EXPECT_SEQUENCE:
    case EH_EXPECT_ECHO:
    case EH_EXPECT_CLIENT_PORT:
    case EH_EXPECT_MIRROR:
    case EH_EXPECT_WIRE_ECHO:
    case EH_EXPECT_WIRE_CLIENT_PORT:
    case EH_EXPECT_WIRE_SEGMENTS:
    case EH_EXPECT_WIRE_CONNECTIONS:
    case EH_EXPECT_SERVER_FDS:
    case EH_EXPECT_SERVER_RUNNING:
    case EH_EXPECT_CLIENT_ENDS:
    case EH_EXPECT_SERVER_PORT:
        break;
    }
    return -1;
}

/* The kinds that read the scripted client's per-connection records. */
static bool needs_steps(enum eh_expect_kind k)
{
    return k == EH_EXPECT_CONN_ECHO || k == EH_EXPECT_CLIENTS_SERVED ||
           k == EH_EXPECT_CLIENTS_CONCURRENT || k == EH_EXPECT_DATAGRAM_ECHO;
}

/* The keys of the kinds judged from the scripted client's records and from
 * the runner's look at the server process. */
static bool parse_peer_kind(struct ctx *c, json_t *body, const char *p, struct eh_expect *e)
{
    bool has;
    switch (e->kind) {
    case EH_EXPECT_CONN_ECHO:
        return get_relation(c, body, p, e) &&
               get_int(c, body, p, "conn", 1, MAX_REPEAT * MAX_CLIENTS, &e->conn, &has) &&
               get_bool(c, body, p, "eof", &e->eof, &has);
    case EH_EXPECT_CLIENTS_SERVED:
        e->min = 1;
        return get_int(c, body, p, "min", 1, INT64_MAX, &e->min, &has);
    case EH_EXPECT_SERVER_FDS:
        return get_int(c, body, p, "max_growth", 0, INT64_MAX, &e->max_growth, NULL);
    case EH_EXPECT_CLIENTS_CONCURRENT:
    case EH_EXPECT_DATAGRAM_ECHO:
    case EH_EXPECT_SERVER_RUNNING:
        return true;
    case EH_EXPECT_EXIT:
    case EH_EXPECT_SURVIVED:
    case EH_EXPECT_EVENT:
    case EH_EXPECT_SEQUENCE:
    case EH_EXPECT_ECHO:
    case EH_EXPECT_CLIENT_PORT:
    case EH_EXPECT_MIRROR:
    case EH_EXPECT_WIRE_ECHO:
    case EH_EXPECT_WIRE_CLIENT_PORT:
    case EH_EXPECT_WIRE_SEGMENTS:
    case EH_EXPECT_WIRE_CLOSE:
    case EH_EXPECT_WIRE_CONNECTIONS:
    case EH_EXPECT_WIRE_SYN:
    case EH_EXPECT_WIRE_UDP:
    case EH_EXPECT_CLIENT_ENDS:
    case EH_EXPECT_SERVER_PORT:
    case EH_EXPECT_WIRE_CLIENT_READS_ECHO:
        break;
    }
    return false;
}

/* {"client_ends": {"after": "refused", "status": "nonzero", "within_ms": 1000}};
 * "server_close" and "refused" are TCP events. */
static bool parse_client_ends(struct ctx *c, json_t *body, const char *p,
                              enum eh_transport transport, struct eh_expect *e)
{
    int after = 0, status = 0;
    char ap[PATH_LEN];
    if (!get_enum(c, body, p, "after", after_names, &after, NULL) ||
        !get_enum(c, body, p, "status", status_names, &status, NULL) ||
        !get_int(c, body, p, "within_ms", 1, 600000, &e->within_ms, NULL))
        return false;
    e->after = (enum eh_client_after)after;
    e->status = (enum eh_exit_status)status;
    e->who = EH_CLIENT;       /* the role it judges, for the report */
    e->transport = transport; /* the wire it reads */
    child(ap, p, "after");
    if (transport != EH_TCP && e->after != EH_AFTER_ECHO && e->after != EH_AFTER_NO_REPLY)
        return fail(c, ap, false, "\"%s\" is only allowed in tcp scenarios",
                    eh_client_after_name(e->after));
    if (transport != EH_UDP && e->after == EH_AFTER_NO_REPLY)
        return fail(c, ap, false, "\"no_reply\" is only allowed in udp scenarios");
    return true;
}

static bool parse_expect(struct ctx *c, json_t *v, const char *path, enum eh_transport transport,
                         struct eh_expect *e)
{
    /* The keys each kind allows, "who" first where it is required. */
    static const char *const keys[][5] = {
        [EH_EXPECT_EXIT] = {"who", "code", "signal"},
        [EH_EXPECT_SURVIVED] = {"who"},
        [EH_EXPECT_EVENT] = {"who", "match", "min", "max"},
        [EH_EXPECT_SEQUENCE] = {"who", "events"},
        [EH_EXPECT_ECHO] = {"relation"},
        [EH_EXPECT_CLIENT_PORT] = {"ephemeral"},
        [EH_EXPECT_MIRROR] = {NULL},
        [EH_EXPECT_WIRE_ECHO] = {"relation", "bytes"},
        [EH_EXPECT_WIRE_CLIENT_PORT] = {"ephemeral"},
        [EH_EXPECT_WIRE_SEGMENTS] = {"from", "max_payload"},
        [EH_EXPECT_WIRE_CLOSE] = {"class", "first_close_by", "data_after_close"},
        [EH_EXPECT_WIRE_CONNECTIONS] = {"min", "max"},
        [EH_EXPECT_WIRE_SYN] = {"unanswered_min", "refused_min"},
        [EH_EXPECT_WIRE_UDP] = {"boundaries"},
        [EH_EXPECT_CONN_ECHO] = {"relation", "conn", "eof"},
        [EH_EXPECT_CLIENTS_SERVED] = {"min"},
        [EH_EXPECT_CLIENTS_CONCURRENT] = {NULL},
        [EH_EXPECT_DATAGRAM_ECHO] = {NULL},
        [EH_EXPECT_SERVER_FDS] = {"max_growth"},
        [EH_EXPECT_SERVER_RUNNING] = {NULL},
        [EH_EXPECT_CLIENT_ENDS] = {"after", "status", "within_ms"},
        [EH_EXPECT_SERVER_PORT] = {"ephemeral"},
        [EH_EXPECT_WIRE_CLIENT_READS_ECHO] = {NULL},
    };
    int which = 0, who = 0;
    char p[PATH_LEN];
    pathf(e->path, sizeof(e->path), "%s", path);
    if (!is_object(c, v, path) || !check_keys(c, v, path, expect_names, "expectation") ||
        !exactly_one(c, v, path, expect_names, &which))
        return false;
    e->kind = (enum eh_expect_kind)which;
    json_t *body = json_object_get(v, expect_names[which]);
    child(p, path, expect_names[which]);
    int only = only_transport(e->kind);
    if (only >= 0 && (enum eh_transport)only != transport)
        return fail(c, p, true, "only allowed in %s scenarios",
                    eh_transport_name((enum eh_transport)only));
    if (needs_steps(e->kind) && !c->scripted)
        return fail(c, p, true,
                    "only allowed when the client has \"steps\" (it judges the scripted "
                    "client's records)");
    if (!is_object(c, body, p) || !check_keys(c, body, p, keys[which], "key"))
        return false;
    if (keys[which][0] != NULL && strcmp(keys[which][0], "who") == 0) {
        if (!get_enum(c, body, p, "who", eh_role_names, &who, NULL))
            return false;
        e->who = (enum eh_role_id)who;
    }
    switch (e->kind) {
    case EH_EXPECT_EXIT:
        return parse_exit(c, body, p, e);
    case EH_EXPECT_EVENT:
        return parse_event(c, body, p, e);
    case EH_EXPECT_SEQUENCE:
        return parse_sequence(c, body, p, e);
    case EH_EXPECT_ECHO:
        return get_relation(c, body, p, e);
    case EH_EXPECT_CLIENT_PORT:
        return get_true(c, body, p, "ephemeral");
    case EH_EXPECT_SURVIVED:
    case EH_EXPECT_MIRROR:
        return true;
    case EH_EXPECT_CLIENT_ENDS:
        return parse_client_ends(c, body, p, transport, e);
    case EH_EXPECT_SERVER_PORT:
        e->who = EH_SERVER;
        return get_true(c, body, p, "ephemeral");
    case EH_EXPECT_WIRE_CLIENT_READS_ECHO:
    case EH_EXPECT_WIRE_ECHO:
    case EH_EXPECT_WIRE_CLIENT_PORT:
    case EH_EXPECT_WIRE_SEGMENTS:
    case EH_EXPECT_WIRE_CLOSE:
    case EH_EXPECT_WIRE_CONNECTIONS:
    case EH_EXPECT_WIRE_SYN:
    case EH_EXPECT_WIRE_UDP:
        return parse_wire(c, body, p, transport, e);
    case EH_EXPECT_CONN_ECHO:
    case EH_EXPECT_CLIENTS_SERVED:
    case EH_EXPECT_CLIENTS_CONCURRENT:
    case EH_EXPECT_DATAGRAM_ECHO:
    case EH_EXPECT_SERVER_FDS:
    case EH_EXPECT_SERVER_RUNNING:
        return parse_peer_kind(c, body, p, e);
    }
    return false;
}

/* ---- network conditions ---- */

/* "network": {"mtu": 1500, "loss_percent": 3, "delay_ms": 20, "reorder_percent": 5}. */
static bool parse_network(struct ctx *c, json_t *obj, const char *path, enum eh_family family,
                          struct eh_netcond *n)
{
    static const char *const keys[] = {"mtu", "loss_percent", "delay_ms", "reorder_percent", NULL};
    int64_t mtu = 0, loss = 0, delay = 0, reorder = 0;
    bool has_mtu, has;
    char p[PATH_LEN], list[256];
    if (!is_object(c, obj, path) || !check_keys(c, obj, path, keys, "key"))
        return false;
    if (json_object_size(obj) == 0)
        return fail(c, path, false, "expected at least one of %s, got {}",
                    join(keys, false, list, sizeof(list)));
    if (!get_int(c, obj, path, "mtu", 68, 65536, &mtu, &has_mtu) ||
        !get_int(c, obj, path, "loss_percent", 0, 100, &loss, &has) ||
        !get_int(c, obj, path, "delay_ms", 0, 10000, &delay, &has) ||
        !get_int(c, obj, path, "reorder_percent", 0, 100, &reorder, &has))
        return false;
    child(p, path, "mtu");
    if (has_mtu && family == EH_IPV6 && mtu < 1280)
        return fail(c, p, false,
                    "expected integer 1280..65536 (IPv6 needs an MTU of at least 1280, RFC 8200 "
                    "section 5), got %lld",
                    (long long)mtu);
    child(p, path, "reorder_percent");
    if (reorder > 0 && delay == 0)
        return fail(c, p, false,
                    "expected delay_ms > 0 with reorder_percent (netem reorders by sending some "
                    "packets at once, ahead of the delayed ones), got no delay");
    n->given = true;
    n->mtu = (int)mtu;
    n->loss_percent = (int)loss;
    n->delay_ms = (int)delay;
    n->reorder_percent = (int)reorder;
    return true;
}

/* ---- the scenario ---- */

/* True if the expectation needs a server (its log or its process). */
static bool needs_server(const struct eh_expect *e)
{
    switch (e->kind) {
    case EH_EXPECT_EXIT:
    case EH_EXPECT_SURVIVED:
    case EH_EXPECT_EVENT:
    case EH_EXPECT_SEQUENCE:
        return e->who == EH_SERVER;
    case EH_EXPECT_MIRROR:
    case EH_EXPECT_SERVER_PORT:
    case EH_EXPECT_SERVER_FDS:
    case EH_EXPECT_SERVER_RUNNING:
        return true;
    case EH_EXPECT_CONN_ECHO:
    case EH_EXPECT_CLIENTS_SERVED:
    case EH_EXPECT_CLIENTS_CONCURRENT:
    case EH_EXPECT_DATAGRAM_ECHO:
    case EH_EXPECT_ECHO:
    case EH_EXPECT_CLIENT_PORT:
    case EH_EXPECT_WIRE_ECHO:
    case EH_EXPECT_WIRE_CLIENT_PORT:
    case EH_EXPECT_WIRE_SEGMENTS:
    case EH_EXPECT_WIRE_CLOSE:
    case EH_EXPECT_WIRE_CONNECTIONS:
    case EH_EXPECT_WIRE_SYN:
    case EH_EXPECT_WIRE_UDP:
    case EH_EXPECT_CLIENT_ENDS:
    case EH_EXPECT_WIRE_CLIENT_READS_ECHO:
        return false;
    }
    return false;
}

/* With "server": {"absent": true} nothing may wait for or judge a server. */
static bool check_absent_server(struct ctx *c, const struct eh_scenario *sc)
{
    const struct eh_role *cl = &sc->roles[EH_CLIENT];
    if (sc->roles[EH_SERVER].present)
        return true;
    for (size_t i = 0; i < cl->n_steps; i++)
        if (cl->steps[i].kind == EH_STEP_AWAIT_SERVER || cl->steps[i].kind == EH_STEP_PAUSE_SERVER)
            return fail(c, cl->steps[i].path, true,
                        "no server to %s: the server is absent "
                        "($.server.absent)",
                        cl->steps[i].kind == EH_STEP_AWAIT_SERVER ? "await" : "pause");
    for (size_t i = 0; i < sc->n_expects; i++)
        if (needs_server(&sc->expects[i]))
            return fail(c, sc->expects[i].path, false,
                        "judges the server, but the server is absent ($.server.absent)");
    return true;
}

static bool parse_scenario(struct ctx *c, json_t *root, struct eh_scenario *sc)
{
    static const char *const keys[] = {
        "description", "kind",    "tags",    "transport",          "family", "host",   "port",
        "timeout_ms",  "network", "snaplen", "client_port_window", "server", "client", "expect",
        NULL};
    int kind = 0, transport = EH_TCP, family = EH_IPV4;
    bool has;
    int64_t port = EH_DEFAULT_PORT;
    json_t *server, *client, *expects, *network;
    char p[PATH_LEN], ip[PATH_LEN], got[64];
    unsigned char addr[sizeof(struct in6_addr)];
    if (!is_object(c, root, "$") || !check_keys(c, root, "$", keys, "key") ||
        !get_str(c, root, "$", "description", &sc->description, NULL) ||
        !get_enum(c, root, "$", "kind", kind_names, &kind, NULL) ||
        (sc->kind = copy_str(c, kind_names[kind])) == NULL ||
        !get_strs(c, root, "$", "tags", false, check_tag, "lower-case tag of a-z, 0-9 and -",
                  &sc->tags, &sc->n_tags) ||
        !get_enum(c, root, "$", "transport", eh_transport_names, &transport, &has) ||
        !get_enum(c, root, "$", "family", eh_family_names, &family, &has))
        return false;
    sc->transport = (enum eh_transport)transport;
    sc->family = (enum eh_family)family;
    c->transport = sc->transport;
    if (!get_str(c, root, "$", "host", &sc->host, &has))
        return false;
    if (!has && (sc->host = copy_str(c, family == EH_IPV4 ? "127.0.0.1" : "::1")) == NULL)
        return false;
    if (inet_pton(family == EH_IPV4 ? AF_INET : AF_INET6, sc->host, addr) != 1)
        return fail(c, "$.host", false, "expected an %s address, got %s",
                    family == EH_IPV4 ? "IPv4" : "IPv6", quote(sc->host, got, sizeof(got)));
    sc->timeout_ms = EH_DEFAULT_TIMEOUT_MS;
    sc->snaplen = EH_DEFAULT_SNAPLEN;
    if (!get_int(c, root, "$", "port", 0, 65535, &port, &has) ||
        !get_int(c, root, "$", "timeout_ms", 100, 600000, &sc->timeout_ms, &has) ||
        !get_int(c, root, "$", "snaplen", EH_MIN_SNAPLEN, EH_DEFAULT_SNAPLEN, &sc->snaplen, &has) ||
        !member(c, root, "$", "network", &has, &network, p) ||
        (has && !parse_network(c, network, p, sc->family, &sc->network)) ||
        !get_bool(c, root, "$", "client_port_window", &sc->client_port_window, &has) ||
        !member(c, root, "$", "server", &has, &server, p) ||
        !parse_role(c, server, p, EH_SERVER, &sc->roles[EH_SERVER]) ||
        !member(c, root, "$", "client", NULL, &client, p) ||
        !parse_role(c, client, p, EH_CLIENT, &sc->roles[EH_CLIENT]))
        return false;
    c->scripted = sc->roles[EH_CLIENT].n_steps > 0;
    if (!get_array(c, root, "$", "expect", &expects, NULL) ||
        (sc->expects = alloc(c, json_array_size(expects) * sizeof(*sc->expects))) == NULL)
        return false;
    sc->port = (int)port;
    sc->n_expects = json_array_size(expects);
    for (size_t i = 0; i < sc->n_expects; i++) {
        item_path(ip, "$.expect", expects, i);
        if (!parse_expect(c, json_array_get(expects, i), ip, sc->transport, &sc->expects[i]))
            return false;
    }
    return check_absent_server(c, sc);
}

/* Reads the whole file, refusing one above EH_SCENARIO_MAX_BYTES before it
 * reads it (a regular file, by its size) or while it reads it (a pipe or a
 * device, which has none). path is the name shown in messages. */
static eh_status read_file(const char *path, const char *shown, char **text, size_t *len,
                           struct eh_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        eh_error_set(err, "%s: cannot open: %s", shown, strerror(errno));
        return EH_ERR;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > EH_SCENARIO_MAX_BYTES) {
        eh_error_set(err, "%s: %lld bytes, more than the %d bytes (1 MiB) a scenario file may have",
                     shown, (long long)sb.st_size, EH_SCENARIO_MAX_BYTES);
        fclose(f);
        return EH_ERR;
    }
    char *buf = NULL;
    size_t cap = 0, n = 0;
    eh_status st = EH_OK;
    do {
        cap = cap ? 2 * cap : 4096;
        char *bigger = realloc(buf, cap + 1);
        if (bigger == NULL) {
            eh_error_set(err, "%s: out of memory", shown);
            st = EH_ERR;
            break;
        }
        buf = bigger;
        n += fread(buf + n, 1, cap - n, f);
    } while (n == cap && n <= EH_SCENARIO_MAX_BYTES);
    if (st == EH_OK && ferror(f)) {
        eh_error_set(err, "%s: cannot read: %s", shown, strerror(errno));
        st = EH_ERR;
    } else if (st == EH_OK && n > EH_SCENARIO_MAX_BYTES) {
        eh_error_set(err, "%s: more than the %d bytes (1 MiB) a scenario file may have", shown,
                     EH_SCENARIO_MAX_BYTES);
        st = EH_ERR;
    }
    fclose(f);
    if (st != EH_OK) {
        free(buf);
        return st;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return EH_OK;
}

eh_status eh_scenario_load(const char *sc_path, struct eh_scenario **out, struct eh_error *err)
{
    const char *path = sc_path;
    char *text, shown_path[PATH_LEN * 4];
    size_t len;
    *out = NULL;
    /* A file name may hold any byte: messages show it escaped. */
    eh_escape_buf(shown_path, sizeof(shown_path), path, strlen(path), EH_ESC_ASCII);
    path = shown_path;
    if (read_file(sc_path, path, &text, &len, err) != EH_OK)
        return EH_ERR;
    eh_status st = eh_scenario_load_text(path, text, len, out, err);
    free(text);
    return st;
}

eh_status eh_scenario_load_text(const char *path, const char *text, size_t len,
                                struct eh_scenario **out, struct eh_error *err)
{
    *out = NULL;
    struct ctx c = {.file = path, .text = text, .err = err};
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    struct eh_scenario *sc = NULL;
    bool ok = false;
    if (root == NULL && strspn(text, " \t\r\n") == len) {
        eh_error_set(err, "%s:1:1: $: expected object, got empty file", path);
    } else if (root == NULL) {
        char shown[sizeof(jerr.text)];
        eh_error_set(err, "%s:%d:%d: %s", path, jerr.line, jerr.column < 1 ? 1 : jerr.column,
                     printable(jerr.text, shown, sizeof(shown)));
    } else if ((sc = alloc(&c, sizeof(*sc))) != NULL && (sc->path = copy_str(&c, path)) != NULL) {
        const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        size_t n = strlen(base);
        if (n > 5 && strcmp(base + n - 5, ".json") == 0)
            n -= 5;
        sc->name = strndup(base, n);
        ok = sc->name != NULL ? parse_scenario(&c, root, sc)
                              : (eh_error_set(err, "%s: out of memory", path), false);
    }
    json_decref(root);
    if (!ok) {
        eh_scenario_free(sc);
        return EH_ERR;
    }
    *out = sc;
    return EH_OK;
}

static void free_match(struct eh_match *m)
{
    if (m == NULL)
        return;
    free(m->laddr);
    free(m->raddr);
    free(m->call);
    free_strs(m->errnos, m->n_errnos);
    free_strs(m->reasons, m->n_reasons);
}

static void free_steps(struct eh_step *steps, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(steps[i].data);
        free_steps(steps[i].steps, steps[i].n_steps);
        free_match(steps[i].await);
        free(steps[i].await);
    }
    free(steps);
}

const unsigned char *eh_step_bytes(const struct eh_step *st, unsigned char **owned)
{
    *owned = NULL;
    if (!st->random)
        return st->data;
    if (st->data_len == 0 || (*owned = malloc(st->data_len)) == NULL)
        return NULL;
    eh_prng_fill(st->seed, *owned, st->data_len); /* as echo-client --payload-random */
    return *owned;
}

void eh_scenario_free(struct eh_scenario *sc)
{
    if (sc == NULL)
        return;
    free(sc->name);
    free(sc->path);
    free(sc->description);
    free(sc->kind);
    free_strs(sc->tags, sc->n_tags);
    free(sc->host);
    for (int r = 0; r < EH_ROLE_COUNT; r++) {
        free(sc->roles[r].program);
        free_strs(sc->roles[r].args, sc->roles[r].n_args);
        free_steps(sc->roles[r].steps, sc->roles[r].n_steps);
    }
    for (size_t i = 0; i < sc->n_expects; i++) {
        free_match(&sc->expects[i].match);
        for (size_t j = 0; j < sc->expects[i].n_seq; j++)
            free_match(&sc->expects[i].seq[j]);
        free(sc->expects[i].seq);
    }
    free(sc->expects);
    free(sc);
}

bool eh_scenario_has_tag(const struct eh_scenario *sc, const char *tag)
{
    for (size_t i = 0; i < sc->n_tags; i++)
        if (strcmp(sc->tags[i], tag) == 0)
            return true;
    return false;
}

/* ---- finding scenario files ---- */

struct path_list {
    char **v;
    size_t n, cap;
};

/* Takes ownership of s. */
static eh_status add_path(struct path_list *l, char *s, struct eh_error *err)
{
    if (s != NULL && l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        char **v = realloc(l->v, cap * sizeof(*v));
        if (v == NULL) {
            free(s);
            s = NULL;
        } else {
            l->v = v;
            l->cap = cap;
        }
    }
    if (s == NULL) {
        eh_error_set(err, "out of memory");
        return EH_ERR;
    }
    l->v[l->n++] = s;
    return EH_OK;
}

static int compare_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the *.json regular files below dir. Names starting with '.' are
 * skipped and symbolic links to directories are not followed. */
static eh_status walk(const char *dir, struct path_list *l, struct eh_error *err)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        eh_error_set(err, "%s: %s", dir, strerror(errno));
        return EH_ERR;
    }
    eh_status st = EH_OK;
    const char *sep = dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/";
    struct dirent *de;
    while (st == EH_OK && (de = readdir(d)) != NULL) {
        char *p;
        struct stat sb;
        size_t n = strlen(de->d_name);
        if (de->d_name[0] == '.')
            continue;
        if (asprintf(&p, "%s%s%s", dir, sep, de->d_name) < 0) {
            eh_error_set(err, "out of memory");
            st = EH_ERR;
        } else if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode)) {
            st = walk(p, l, err);
            free(p);
        } else if (n > 5 && strcmp(de->d_name + n - 5, ".json") == 0 && stat(p, &sb) == 0 &&
                   S_ISREG(sb.st_mode)) {
            st = add_path(l, p, err);
        } else {
            free(p);
        }
    }
    closedir(d);
    return st;
}

eh_status eh_scenario_find(char *const *args, size_t n_args, char ***paths_out, size_t *n_out,
                           struct eh_error *err)
{
    struct path_list l = {0};
    eh_status st = EH_OK;
    for (size_t i = 0; i < n_args && st == EH_OK; i++) {
        struct stat sb;
        size_t first = l.n;
        if (stat(args[i], &sb) != 0) {
            eh_error_set(err, "%s: %s", args[i], strerror(errno));
            st = EH_ERR;
        } else if (S_ISDIR(sb.st_mode)) {
            st = walk(args[i], &l, err);
            if (st == EH_OK && l.n == first) { /* never a silent run of nothing */
                eh_error_set(err, "%s: no scenario files (*.json) in this directory", args[i]);
                st = EH_ERR;
            }
            if (l.n > first)
                qsort(l.v + first, l.n - first, sizeof(*l.v), compare_paths);
        } else {
            st = add_path(&l, strdup(args[i]), err);
        }
    }
    if (st != EH_OK) {
        free_strs(l.v, l.n);
        l.v = NULL;
        l.n = 0;
    }
    *paths_out = l.v;
    *n_out = l.n;
    return st;
}
