/* main.c - cs-harness: loads a storage plugin and plays CloudStack's management server and KVM
 * agents against it. This file parses the command line and dispatches sub-commands. */
#include "config.h"

#include "cs.h"
#include "demo.h"
#include "harness.h"
#include "imagepath.h"
#include "jsonw.h"
#include "loader.h"
#include "plugininfo.h"
#include "services.h"
#include "session.h"
#include "sim.h"
#include "strbuf.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef HOST_PLUGINDIR
#define HOST_PLUGINDIR "."
#endif

static void usage(FILE *out)
{
    fprintf(out,
            "usage: cs-harness [OPTIONS] COMMAND [ARGS]\n"
            "       cs-harness [OPTIONS] VERB NOUN [KEY=VALUE ...]   (one CloudMonkey command)\n"
            "\n"
            "Loads a storage plugin and plays CloudStack's management server and KVM agents against it.\n"
            "\n"
            "options:\n"
            "  --plugin PATH      the plugin module (.so or .la; default %s/powerflex)\n"
            "  --db FILE          keep state in this SQLite file (default: in memory)\n"
            "  --workdir DIR      hosts' state dirs, secondary storage, simulators (default: a temp dir)\n"
            "  --image-dir DIR    templates and ISOs may be registered from files under DIR (repeatable;\n"
            "                     the work dir always counts; so do the directories of the setting\n"
            "                     harness.image.directories). Other paths, /proc, /sys and /dev are refused\n"
            "  --keep-going       run every line of a file even after a failure (exit status still says)\n"
            "  --echo             print each command (passwords masked) on stderr before running it\n"
            "  --quiet            do not print successful responses\n"
            "  --progress         draw progress bars for long operations (default when stderr is a tty)\n"
            "  --keep-sims        leave simulators running at exit (a later run with --db adopts them)\n"
            "  --log-level LEVEL  error, warn (default), info or debug: plugin log lines on stderr\n"
            "  -o, --output FMT   how answers print: json (default), table or text (as cmk -o)\n"
            "  -h, --help         this text\n"
            "  --version          the harness's version\n"
            "\n"
            "commands:\n"
            "  info               print the plugin's name, version, ABI version and the settings and\n"
            "                     pool details it reads, as JSON\n"
            "  run FILE|-         run CloudMonkey command lines from FILE or stdin (exit 3: stopped\n"
            "                     because the plugin does not provide a method yet)\n"
            "  shell              an interactive prompt (keeps going after errors)\n"
            "  demo [--url URL] [--cafile PEM] [--host IP]... [--verbose]\n"
            "                     the whole walkthrough against two simulated systems, or a real gateway\n"
            "  VERB NOUN ...      any other words are one command line, run once (\"list zones\",\n"
            "                     \"list storagepools filter=name,state\"); use --db to find earlier state\n"
            "\n"
            "See cs-harness(1).\n",
            HOST_PLUGINDIR);
}

static int parse_level(const char *s, sp_log_level *out)
{
    static const char *names[] = {"error", "warn", "info", "debug"};
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (sp_log_level)i;
            return 0;
        }
    return -1;
}

static void print_error(int code, const char *text)
{
    host_jsonw w;
    host_jsonw_init(&w, 1);
    host_jsonw_object_begin(&w, NULL);
    host_write_error(&w, code, text);
    host_jsonw_object_end(&w);
    fprintf(stderr, "%s\n", host_jsonw_text(&w));
    host_jsonw_free(&w);
}

static int cmd_info(const host_plugin *plugin)
{
    char err[1024];
    host_jsonw w;
    int rc = 0;

    host_jsonw_init(&w, 1);
    host_jsonw_object_begin(&w, NULL);
    if (host_plugin_info(plugin, &w, err, sizeof(err)) != 0) {
        print_error(530, err);
        rc = 1;
    }
    host_jsonw_object_end(&w);
    if (rc == 0 && w.failed)
        rc = 1;
    else if (rc == 0)
        printf("%s\n", host_jsonw_text(&w));
    host_jsonw_free(&w);
    return rc;
}

/* One word of a one-shot command, quoted so that the command parser reads it back as the shell
 * handed it: a value with blanks, quotes, '$' or '#' is single-quoted (no expansion; the shell
 * already expanded what it meant to), a quote inside written as '"'"'. */
static void add_arg(host_buf *b, const char *arg)
{
    const char *eq = strchr(arg, '='), *v = eq != NULL ? eq + 1 : arg;

    if (strpbrk(v, " \t\"'$#\\") == NULL || *v == '\0') {
        host_buf_adds(b, arg);
        return;
    }
    if (eq != NULL)
        host_buf_add(b, arg, (size_t)(v - arg));
    host_buf_addc(b, '\'');
    for (; *v; v++) {
        if (*v == '\'')
            host_buf_adds(b, "'\"'\"'");
        else
            host_buf_addc(b, *v);
    }
    host_buf_addc(b, '\'');
}

/* What a harness does when it starts on a database: rebinds simulators and resolves what a
 * killed predecessor left half done. Prints nothing when there was nothing to resolve. */
static int startup(host_cs *cs)
{
    host_jsonw w;
    host_err e;
    int rc;

    memset(&e, 0, sizeof(e));
    host_jsonw_init(&w, 1);
    host_jsonw_object_begin(&w, NULL);
    rc = host_session_restart(cs, &w, &e);
    host_jsonw_object_end(&w);
    if (rc != 0)
        print_error(e.code, e.text);
    else if (strstr(host_jsonw_text(&w), "\"recovered\"") != NULL ||
             strstr(host_jsonw_text(&w), "\"intents\"") != NULL ||
             strstr(host_jsonw_text(&w), "\"seedings\"") != NULL)
        fprintf(stderr, "%s\n", host_jsonw_text(&w));
    host_jsonw_free(&w);
    return rc;
}

int main(int argc, char **argv)
{
    enum {
        O_DB = 256,
        O_WORKDIR,
        O_KEEP_GOING,
        O_ECHO,
        O_QUIET,
        O_PROGRESS,
        O_KEEP_SIMS,
        O_CRASH_AT,
        O_URL,
        O_IMAGE_DIR
    };
    static const struct option opts[] = {
        {"plugin", required_argument, NULL, 'p'},
        {"log-level", required_argument, NULL, 'l'},
        {"db", required_argument, NULL, O_DB},
        {"workdir", required_argument, NULL, O_WORKDIR},
        {"image-dir", required_argument, NULL, O_IMAGE_DIR},
        {"keep-going", no_argument, NULL, O_KEEP_GOING},
        {"echo", no_argument, NULL, O_ECHO},
        {"quiet", no_argument, NULL, O_QUIET},
        {"progress", no_argument, NULL, O_PROGRESS},
        {"keep-sims", no_argument, NULL, O_KEEP_SIMS},
        {"crash-at", required_argument, NULL, O_CRASH_AT},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    const char *plugin_path = HOST_PLUGINDIR "/powerflex";
    const char *db = NULL, *workdir = NULL, *crash_at = NULL, *crash_when = NULL, *cmd, **image_dirs = NULL;
    size_t n_image_dirs = 0;
    host_cs cs;
    host_session s;
    host_err e;
    sp_log_level level = SP_LOG_WARN;
    int c, rc = 1, keep_going = 0, echo = 0, quiet = 0, keep_sims = 0;
    int progress = isatty(STDERR_FILENO), one_shot = 0;
    host_display display = HOST_DISPLAY_JSON;

    while ((c = getopt_long(argc, argv, "+ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'p': plugin_path = optarg; break;
        case 'l':
            if (parse_level(optarg, &level) != 0) {
                print_error(431, "--log-level takes error, warn, info or debug");
                free(image_dirs);
                return 2;
            }
            break;
        case O_DB: db = optarg; break;
        case O_WORKDIR: workdir = optarg; break;
        case O_IMAGE_DIR: {
            const char **grown = realloc(image_dirs, (n_image_dirs + 1) * sizeof(*grown));
            if (grown == NULL) {
                free(image_dirs);
                print_error(530, "out of memory");
                return 1;
            }
            image_dirs = grown;
            image_dirs[n_image_dirs++] = optarg;
            break;
        }
        case O_KEEP_GOING: keep_going = 1; break;
        case O_ECHO: echo = 1; break;
        case O_QUIET: quiet = 1; break;
        case O_PROGRESS: progress = 1; break;
        case O_KEEP_SIMS: keep_sims = 1; break;
        case O_CRASH_AT: crash_at = optarg; break;
        case 'o':
            if (host_display_parse(optarg, &display) != 0) {
                print_error(431, "-o takes json, table or text");
                free(image_dirs);
                return 2;
            }
            break;
        case 'h':
            usage(stdout);
            free(image_dirs);
            return 0;
        case 'V':
            printf("cs-harness %s\n", PACKAGE_VERSION);
            free(image_dirs);
            return 0;
        default:
            usage(stderr);
            free(image_dirs);
            return 2;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        free(image_dirs);
        return 2;
    }
    cmd = argv[optind];
    /* Anything else is one CloudMonkey command ("cs-harness list zones"), as cmk runs one. */
    one_shot = strcmp(cmd, "info") != 0 && strcmp(cmd, "run") != 0 && strcmp(cmd, "shell") != 0 &&
               strcmp(cmd, "demo") != 0;
    if (strcmp(cmd, "run") == 0 && optind + 1 >= argc) {
        print_error(431, "run takes a file name, or - for stdin");
        free(image_dirs);
        return 2;
    }
    memset(&e, 0, sizeof(e));
    if (host_cs_open(&cs, db, workdir, &e) != 0) {
        print_error(e.code, e.text);
        free(image_dirs);
        return 1;
    }
    for (size_t i = 0; i < n_image_dirs; i++) {
        if (host_image_dir_add(&cs, image_dirs[i], &e) != 0) {
            print_error(e.code, e.text);
            free(image_dirs);
            host_cs_close(&cs);
            return 2;
        }
    }
    free(image_dirs);
    cs.svc.max_level = level;
    cs.progress = progress;
    cs.keep_sims = keep_sims;
    cs.self_exe = realpath("/proc/self/exe", NULL);
    if (crash_at != NULL && strncmp(crash_at, "request:", 8) == 0) {
        /* request:K[:WHEN]: the simulators kill this process at the Kth request that changes an
         * array (sim crashpoint), armed once the start-up has adopted them. */
        char *end = NULL;
        cs.crash_pct = (unsigned)strtoul(crash_at + 8, &end, 10);
        crash_when = end != NULL && *end == ':' ? end + 1 : "applied";
        if (cs.crash_pct == 0 || end == crash_at + 8 || (*end != '\0' && *end != ':')) {
            print_error(431, "--crash-at request:K[:applied|before|after] takes K >= 1");
            goto out;
        }
        cs.crash_phase = strdup("request");
    } else if (crash_at != NULL) {
        char *colon = strrchr(crash_at, ':');
        if (colon == NULL) {
            print_error(431, "--crash-at takes PHASE:PERCENT");
            goto out;
        }
        cs.crash_phase = strndup(crash_at, (size_t)(colon - crash_at));
        cs.crash_pct = (unsigned)atoi(colon + 1);
    }
    if (host_cs_load_plugin(&cs, plugin_path, &e) != 0) {
        print_error(e.code, e.text);
        goto out;
    }
    if (strcmp(cmd, "info") == 0) {
        rc = cmd_info(cs.plugin);
        goto out;
    }
    if (startup(&cs) != 0)
        goto out;
    if (crash_when != NULL && host_sims_crashpoint(&cs, NULL, cs.crash_pct, crash_when, 0, NULL, &e) < 0) {
        print_error(e.code, e.text);
        goto out;
    }
    host_session_init(&s, &cs);
    s.keep_going = keep_going;
    s.echo = echo;
    s.quiet = quiet;
    s.display = display;
    if (one_shot) {
        host_buf line = HOST_BUF_INIT;
        for (int i = optind; i < argc; i++) {
            if (i > optind)
                host_buf_addc(&line, ' ');
            add_arg(&line, argv[i]);
        }
        s.source = "command line";
        s.line = 1;
        rc = host_session_line(&s, host_buf_str(&line), line.len) == 0 ? 0 : s.unsupported ? 3 : 1;
        host_buf_free(&line);
    } else if (strcmp(cmd, "demo") == 0) {
        rc = host_demo(&s, argc - optind - 1, argv + optind + 1) == 0 ? 0 : s.unsupported ? 3 : 1;
    } else if (strcmp(cmd, "shell") == 0) {
        s.keep_going = 1;
        rc = host_session_run(&s, stdin, "shell", isatty(STDIN_FILENO) ? "cs-harness> " : NULL) == 0 ? 0 : 1;
    } else {
        const char *file = argv[optind + 1];
        struct stat st;
        FILE *in = NULL;
        char msg[512];
        /* A pipe or a FIFO may feed `run` (it waits for its writer); a directory cannot. */
        if (strcmp(file, "-") == 0)
            in = stdin;
        else if (stat(file, &st) == 0 && S_ISDIR(st.st_mode))
            errno = EISDIR;
        else
            in = fopen(file, "r");
        if (in == NULL) {
            snprintf(msg, sizeof(msg), "cannot open %.400s: %s", file, strerror(errno));
            print_error(431, msg);
        } else {
            rc = host_session_run(&s, in, file, NULL) == 0 ? 0 : s.unsupported ? 3 : 1;
            if (in != stdin)
                fclose(in);
        }
    }
    host_session_free(&s);
    /* Still alive: the crash point was never reached, and must not fire at someone else later. */
    if (crash_when != NULL)
        host_sims_crashpoint(&cs, NULL, 0, NULL, 1, NULL, &e);
out:
    free((char *)cs.crash_phase);
    host_cs_close(&cs);
    return rc;
}
