/*
 * spice-web harness test server: a fake QXL device on the real spice-server library.
 *
 * Why it exists: Xspice on loopback never sends JPEG, JPEG_ALPHA, pattern brushes, ROP3, TEXT and
 * most other draw ops on demand. This program lets a Playwright spec choose exactly which QXL
 * commands the server library receives, so the library itself (its parser, image encoders and
 * marshallers) decides what goes on the wire, and its own software canvas renders the same
 * commands into the primary surface memory we hand it, which is the pixel truth.
 *
 * The harness (e2e/harness/test-server.mjs) builds the QXL structures; this file knows nothing
 * about draw ops. The scenario file it writes is:
 *
 *   "SWTS" u32 version(1) u32 width u32 height u32 arena_size u32 n_relocs u32 n_cmds
 *   arena bytes (arena_size)
 *   n_relocs x u32: offsets in the arena of 64-bit pointers stored as arena offsets
 *   n_cmds   x { u32 qxl_cmd_type, u32 arena_offset }
 *
 * All little-endian. We load the arena into one allocation and add its address to every listed
 * pointer: the memslot covers the whole address space with delta 0, so a QXLPHYSICAL is simply a
 * virtual address in this process.
 *
 * Control is line-based on stdin (so the harness decides when, after the client is connected):
 *   go              release the command list to the server (prints "played" when all were taken)
 *   dump PATH       spice_qxl_update_area() on the whole primary (the server renders everything
 *                   pending with spice-common's canvas), then write the primary's memory to PATH
 *                   as width*height*4 bytes, top row first, B G R X; prints "dumped"
 *   record-start PATH   spice_server_record_start(): the server sends RECORD_START; from then on
 *                   every sample the library hands us (S16LE stereo frames, already decoded from
 *                   Opus by the library when the client sends Opus) is appended to PATH;
 *                   prints "record-started"
 *   record-stop     drain what is left, spice_server_record_stop() (RECORD_STOP), close PATH;
 *                   prints "record-stopped SAMPLES" (stereo frames stored in that recording)
 *   record-volume L R / record-mute 0|1   RECORD_VOLUME / RECORD_MUTE
 *   quit            exit
 * Each command is applied only after the library has written what it had queued (see
 * flush_queued_output: otherwise a sound command can be lost inside the library).
 * Status lines on stdout: "listening PORT", "client-present 0|1", "played", "dumped",
 * "channel EVENT TYPE ID" (SPICE_CHANNEL_EVENT_* for every channel a client links).
 *
 * The event loop is our own small poll() loop (SpiceCoreInterface: timers and fd watches).
 * Options: --port N (required) --image-compression off|auto_glz|auto_lz|quic|glz|lz|lz4
 *          --jpeg never|auto|always --zlib-glz never|auto|always --password PW
 *          --record-rate HZ (the record interface's rate; 48000 lets the library offer
 *          SPICE_RECORD_CAP_OPUS, any other rate makes it raw only)
 *
 * Size: one self-contained program that the harness builds with a single gcc call at test time
 * (event loop, QXL device callbacks, scenario loading, stdin control); more files need a build step.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <spice.h>

/* ---- event loop ---------------------------------------------------------------------------- */

#define MAX_TIMERS 128
#define MAX_WATCHES 128

struct SpiceTimer {
    int used;
    int armed;
    uint64_t due_ms;
    SpiceTimerFunc func;
    void *opaque;
};

struct SpiceWatch {
    int used;
    int fd;
    int mask;
    SpiceWatchFunc func;
    void *opaque;
};

static struct SpiceTimer timers[MAX_TIMERS];
static struct SpiceWatch watches[MAX_WATCHES];

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static SpiceTimer *timer_add(SpiceTimerFunc func, void *opaque)
{
    for (int i = 0; i < MAX_TIMERS; i++) {
        if (!timers[i].used) {
            timers[i] = (struct SpiceTimer){ .used = 1, .func = func, .opaque = opaque };
            return &timers[i];
        }
    }
    fprintf(stderr, "test-server: out of timers\n");
    abort();
}

static void timer_start(SpiceTimer *t, uint32_t ms)
{
    t->armed = 1;
    t->due_ms = now_ms() + ms;
}

static void timer_cancel(SpiceTimer *t) { t->armed = 0; }
static void timer_remove(SpiceTimer *t) { t->used = 0; t->armed = 0; }

static SpiceWatch *watch_add(int fd, int mask, SpiceWatchFunc func, void *opaque)
{
    for (int i = 0; i < MAX_WATCHES; i++) {
        if (!watches[i].used) {
            watches[i] = (struct SpiceWatch){ .used = 1, .fd = fd, .mask = mask, .func = func, .opaque = opaque };
            return &watches[i];
        }
    }
    fprintf(stderr, "test-server: out of watches\n");
    abort();
}

static void watch_update_mask(SpiceWatch *w, int mask) { w->mask = mask; }
static void watch_remove(SpiceWatch *w) { w->used = 0; }

static void channel_event(int event, SpiceChannelEventInfo *info)
{
    /* called from the main loop and from the display worker thread: one printf per line */
    printf("channel %d %d %d\n", event, info->type, info->id);
    fflush(stdout);
}

static SpiceCoreInterface core = {
    .base = { .type = SPICE_INTERFACE_CORE, .description = "spice-web test core",
              .major_version = SPICE_INTERFACE_CORE_MAJOR, .minor_version = SPICE_INTERFACE_CORE_MINOR },
    .timer_add = timer_add,
    .timer_start = timer_start,
    .timer_cancel = timer_cancel,
    .timer_remove = timer_remove,
    .watch_add = watch_add,
    .watch_update_mask = watch_update_mask,
    .watch_remove = watch_remove,
    .channel_event = channel_event,
};

/* ---- scenario -------------------------------------------------------------------------------- */

static uint32_t width, height;
static uint8_t *arena;
static uint8_t *primary;
static QXLCommandExt *cmds;
static uint32_t n_cmds;
/* written by the main thread (go), read by the worker thread (get_command) */
static atomic_int released;
static atomic_uint next_cmd;
static atomic_int played_reported;

static uint32_t rd32(FILE *f)
{
    uint8_t b[4];
    if (fread(b, 1, 4, f) != 4) {
        fprintf(stderr, "test-server: scenario truncated\n");
        exit(2);
    }
    return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

static void load_scenario(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    char magic[4];
    if (fread(magic, 1, 4, f) != 4 || memcmp(magic, "SWTS", 4) != 0 || rd32(f) != 1) {
        fprintf(stderr, "test-server: %s is not a version 1 scenario\n", path);
        exit(2);
    }
    width = rd32(f);
    height = rd32(f);
    uint32_t size = rd32(f), n_relocs = rd32(f);
    n_cmds = rd32(f);
    /* 4096-aligned so every 8-aligned arena offset stays 8-aligned in memory */
    if (posix_memalign((void **)&arena, 4096, size ? size : 1) != 0) abort();
    if (fread(arena, 1, size, f) != size) { fprintf(stderr, "test-server: arena truncated\n"); exit(2); }
    for (uint32_t i = 0; i < n_relocs; i++) {
        uint32_t off = rd32(f);
        if (off > size - 8) { fprintf(stderr, "test-server: bad relocation %u\n", off); exit(2); }
        uint64_t v;
        memcpy(&v, arena + off, 8);
        v += (uint64_t)(uintptr_t)arena;
        memcpy(arena + off, &v, 8);
    }
    cmds = calloc(n_cmds ? n_cmds : 1, sizeof(*cmds));
    for (uint32_t i = 0; i < n_cmds; i++) {
        cmds[i].cmd.type = rd32(f);
        cmds[i].cmd.data = (uint64_t)(uintptr_t)(arena + rd32(f));
        cmds[i].group_id = 0;
    }
    fclose(f);
}

/* ---- QXL device ------------------------------------------------------------------------------ */

static SpiceServer *server;
static QXLInstance qxl;

static void attached_worker(QXLInstance *qin)
{
    /* one slot over the whole address space, no translation: QXLPHYSICAL == pointer */
    QXLDevMemSlot slot = { .slot_group_id = 0, .slot_id = 0, .generation = 0,
                           .virt_start = 0, .virt_end = ~0ULL, .addr_delta = 0, .qxl_ram_size = ~0U };
    spice_qxl_add_memslot(qin, &slot);
    QXLDevSurfaceCreate s = {
        .width = width, .height = height, .stride = (int32_t)(width * 4),
        .format = SPICE_SURFACE_FMT_32_xRGB, .mouse_mode = 1,
        .mem = (uint64_t)(uintptr_t)primary, .group_id = 0,
    };
    spice_qxl_create_primary_surface(qin, 0, &s);
    spice_server_vm_start(server);
}

static void set_compression_level(QXLInstance *qin, int level) { (void)qin; (void)level; }

static void get_init_info(QXLInstance *qin, QXLDevInitInfo *info)
{
    (void)qin;
    memset(info, 0, sizeof(*info));
    info->num_memslots = 1;
    info->num_memslots_groups = 1;
    /* the top bits of a QXLPHYSICAL select slot and generation: user-space addresses have them 0 */
    info->memslot_id_bits = 1;
    info->memslot_gen_bits = 1;
    info->n_surfaces = 16;
}

/* worker thread */
static int get_command(QXLInstance *qin, QXLCommandExt *ext)
{
    (void)qin;
    if (!atomic_load(&released)) return 0;
    unsigned i = atomic_load(&next_cmd);
    if (i >= n_cmds) {
        if (!atomic_exchange(&played_reported, 1)) {
            printf("played\n");
            fflush(stdout);
        }
        return 0;
    }
    atomic_store(&next_cmd, i + 1);
    *ext = cmds[i];
    return 1;
}

static int req_cmd_notification(QXLInstance *qin)
{
    (void)qin;
    /* 0 = commands are waiting, poll again; 1 = we will call spice_qxl_wakeup() when there are */
    return !(atomic_load(&released) && atomic_load(&next_cmd) < n_cmds);
}

/* everything lives in the arena for the whole run: nothing to free */
static void release_resource(QXLInstance *qin, QXLReleaseInfoExt info) { (void)qin; (void)info; }
static int get_cursor_command(QXLInstance *qin, QXLCommandExt *ext) { (void)qin; (void)ext; return 0; }
static int req_cursor_notification(QXLInstance *qin) { (void)qin; return 1; }
static void notify_update(QXLInstance *qin, uint32_t id) { (void)qin; (void)id; }
static int flush_resources(QXLInstance *qin) { (void)qin; return 0; }

static void set_client_capabilities(QXLInstance *qin, uint8_t present, uint8_t caps[SPICE_CAPABILITIES_SIZE])
{
    (void)qin; (void)caps;
    printf("client-present %d\n", present);
    fflush(stdout);
}

static int client_monitors_config(QXLInstance *qin, VDAgentMonitorsConfig *mc) { (void)qin; (void)mc; return 0; }

static QXLInterface qxl_sif = {
    .base = { .type = SPICE_INTERFACE_QXL, .description = "spice-web test qxl",
              .major_version = SPICE_INTERFACE_QXL_MAJOR, .minor_version = SPICE_INTERFACE_QXL_MINOR },
    .attached_worker = attached_worker,
    .set_compression_level = set_compression_level,
    .get_init_info = get_init_info,
    .get_command = get_command,
    .req_cmd_notification = req_cmd_notification,
    .release_resource = release_resource,
    .get_cursor_command = get_cursor_command,
    .req_cursor_notification = req_cursor_notification,
    .notify_update = notify_update,
    .flush_resources = flush_resources,
    .set_client_capabilities = set_client_capabilities,
    .client_monitors_config = client_monitors_config,
};

/* ---- record interface (the client's microphone) ------------------------------------------ */

/*
 * The library keeps the last 8192 stereo frames the client sent in a ring and only hands them
 * out while recording is active (get_samples asserts it) and once 4096 have arrived; we drain it
 * every loop turn (at most 10 ms apart while recording) so nothing is overwritten.
 */
static SpiceRecordInterface record_sif = {
    .base = { .type = SPICE_INTERFACE_RECORD, .description = "spice-web test record",
              .major_version = SPICE_INTERFACE_RECORD_MAJOR, .minor_version = SPICE_INTERFACE_RECORD_MINOR },
};
static SpiceRecordInstance rec;
static FILE *rec_file;
static uint64_t rec_frames;

static void record_drain(void)
{
    static uint32_t buf[8192];
    if (!rec_file) return;
    for (;;) {
        uint32_t n = spice_server_record_get_samples(&rec, buf, 8192);
        if (n == 0) break;
        fwrite(buf, 4, n, rec_file);
        rec_frames += n;
    }
}

/*
 * The ring is filled inside the library's socket read loop, which reads every message waiting on
 * the record channel before it returns to us: a backlog of more than 8192 frames (a client that
 * sent in a burst, or this process not scheduled for a while on a loaded machine; 100 Opus
 * packets are only 8 KB) would overwrite frames before we drain. So we interpose read(): the
 * library calls it (its only socket input) before each message, and on the main thread (where
 * the sound channels run) we drain the ring first. Display channels read on the worker thread:
 * left alone.
 */
static pthread_t main_thread;

ssize_t read(int fd, void *buf, size_t count)
{
    if (pthread_equal(pthread_self(), main_thread) && rec_file) record_drain();
    return syscall(SYS_read, fd, buf, count);
}

static void record_start(const char *path)
{
    if (rec_file) { printf("record-failed already recording\n"); fflush(stdout); return; }
    rec_file = fopen(path, "wb");
    if (!rec_file) { printf("record-failed %s\n", strerror(errno)); fflush(stdout); return; }
    rec_frames = 0;
    spice_server_record_start(&rec);
    printf("record-started\n");
    fflush(stdout);
}

static void record_stop(void)
{
    if (!rec_file) { printf("record-failed not recording\n"); fflush(stdout); return; }
    record_drain();
    spice_server_record_stop(&rec);
    fclose(rec_file);
    rec_file = NULL;
    printf("record-stopped %llu\n", (unsigned long long)rec_frames);
    fflush(stdout);
}

/* ---- control on stdin ------------------------------------------------------------------------ */

static char line[4096];
static size_t line_len;
static int quit;

static void dump_primary(const char *path)
{
    QXLRect all = { .top = 0, .left = 0, .bottom = (int32_t)height, .right = (int32_t)width };
    spice_qxl_update_area(&qxl, 0, &all, NULL, 0, 1);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(primary, 4, (size_t)width * height, f) != (size_t)width * height || fclose(f) != 0) {
        printf("dump-failed %s\n", strerror(errno));
    } else {
        printf("dumped\n");
    }
    fflush(stdout);
}

static void handle_line(char *l)
{
    if (strcmp(l, "go") == 0) {
        atomic_store(&released, 1);
        spice_qxl_wakeup(&qxl);
    } else if (strncmp(l, "dump ", 5) == 0) {
        dump_primary(l + 5);
    } else if (strncmp(l, "record-start ", 13) == 0) {
        record_start(l + 13);
    } else if (strcmp(l, "record-stop") == 0) {
        record_stop();
    } else if (strncmp(l, "record-volume ", 14) == 0) {
        uint16_t vol[2] = { 0, 0 };
        unsigned a = 0, b = 0;
        if (sscanf(l + 14, "%u %u", &a, &b) == 2) { vol[0] = (uint16_t)a; vol[1] = (uint16_t)b; }
        spice_server_record_set_volume(&rec, 2, vol);
        printf("record-volume-set\n");
        fflush(stdout);
    } else if (strncmp(l, "record-mute ", 12) == 0) {
        spice_server_record_set_mute(&rec, (uint8_t)atoi(l + 12));
        printf("record-mute-set\n");
        fflush(stdout);
    } else if (strcmp(l, "quit") == 0) {
        quit = 1;
    } else {
        printf("unknown-command %s\n", l);
        fflush(stdout);
    }
}

/*
 * Before a command, let the library write what it has queued. Why: the sound channels
 * (spice-server's server/sound.cpp, snd_send()) queue RECORD_START, STOP, VOLUME and MUTE on a
 * channel client only when its pipe is empty. If another item waits there, the command's bit is
 * set but nothing is queued, and nothing sends it later: the client never hears that RECORD_START
 * (no prompt, no sound; about one record e2e test in 30 under load, the PINGs on the wire and no
 * START). Such an item is the pair of latency PINGs the library's ping timer adds without sending
 * them, 100 ms after a channel links (RedChannelClient::push_ping: pipe_add_type, no push); they
 * leave on the next WRITE event. The harness sends record-start right after the record channel
 * links, so when that timer ran at the end of one loop turn and the command is read in the next,
 * before the watches are served, the command is lost. The library asks for WRITE on a
 * connection's watch while it has output queued (or half sent), so we serve those watches first.
 */
static void flush_queued_output(void)
{
    for (int round = 0; round < 16; round++) {
        struct pollfd pfd[MAX_WATCHES];
        struct SpiceWatch *pw[MAX_WATCHES];
        int n = 0;
        for (int i = 0; i < MAX_WATCHES; i++) {
            if (watches[i].used && (watches[i].mask & SPICE_WATCH_EVENT_WRITE)) {
                pfd[n] = (struct pollfd){ .fd = watches[i].fd, .events = POLLOUT };
                pw[n++] = &watches[i];
            }
        }
        if (n == 0) return;
        int ready = poll(pfd, n, 0);
        int served = 0;
        for (int k = 0; ready > 0 && k < n; k++) {
            struct SpiceWatch *w = pw[k];
            /* a callback may have removed or replaced this watch */
            if (!pfd[k].revents || !w->used || w->fd != pfd[k].fd || !(w->mask & SPICE_WATCH_EVENT_WRITE)) continue;
            w->func(w->fd, SPICE_WATCH_EVENT_WRITE, w->opaque);
            served++;
        }
        if (served == 0) {
            /* a socket that takes nothing now (its peer is not reading): say so in the log, a
               sound command for that client may be lost as described above */
            fprintf(stderr, "test-server: output still queued on %d connection(s) before a command\n", n);
            return;
        }
    }
}

static void read_stdin(void)
{
    ssize_t n = read(0, line + line_len, sizeof(line) - 1 - line_len);
    if (n <= 0) { quit = 1; return; } /* harness gone */
    line_len += (size_t)n;
    char *nl;
    while ((nl = memchr(line, '\n', line_len)) != NULL) {
        *nl = 0;
        flush_queued_output();
        handle_line(line);
        size_t used = (size_t)(nl - line) + 1;
        memmove(line, nl + 1, line_len - used);
        line_len -= used;
    }
    if (line_len == sizeof(line) - 1) line_len = 0; /* overlong line: drop it */
}

/* ---- main ------------------------------------------------------------------------------------ */

static int parse_wan(const char *v)
{
    if (strcmp(v, "never") == 0) return SPICE_WAN_COMPRESSION_NEVER;
    if (strcmp(v, "always") == 0) return SPICE_WAN_COMPRESSION_ALWAYS;
    return SPICE_WAN_COMPRESSION_AUTO;
}

static int parse_image(const char *v)
{
    static const struct { const char *n; int v; } t[] = {
        { "off", SPICE_IMAGE_COMPRESSION_OFF }, { "auto_glz", SPICE_IMAGE_COMPRESSION_AUTO_GLZ },
        { "auto_lz", SPICE_IMAGE_COMPRESSION_AUTO_LZ }, { "quic", SPICE_IMAGE_COMPRESSION_QUIC },
        { "glz", SPICE_IMAGE_COMPRESSION_GLZ }, { "lz", SPICE_IMAGE_COMPRESSION_LZ },
        { "lz4", SPICE_IMAGE_COMPRESSION_LZ4 },
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (strcmp(v, t[i].n) == 0) return t[i].v;
    fprintf(stderr, "test-server: unknown image compression %s\n", v);
    exit(2);
}

int main(int argc, char **argv)
{
    int port = 0, record_rate = 48000;
    const char *scenario = NULL, *password = NULL;
    int image = SPICE_IMAGE_COMPRESSION_OFF, jpeg = SPICE_WAN_COMPRESSION_NEVER, zlib = SPICE_WAN_COMPRESSION_NEVER;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) { fprintf(stderr, "test-server: %s needs a value\n", a); return 2; }
        if (strcmp(a, "--port") == 0) port = atoi(v);
        else if (strcmp(a, "--scenario") == 0) scenario = v;
        else if (strcmp(a, "--image-compression") == 0) image = parse_image(v);
        else if (strcmp(a, "--jpeg") == 0) jpeg = parse_wan(v);
        else if (strcmp(a, "--zlib-glz") == 0) zlib = parse_wan(v);
        else if (strcmp(a, "--password") == 0) password = v;
        else if (strcmp(a, "--record-rate") == 0) record_rate = atoi(v);
        else { fprintf(stderr, "test-server: unknown option %s\n", a); return 2; }
        i++;
    }
    if (!port || !scenario) { fprintf(stderr, "usage: test-server --port N --scenario FILE [...]\n"); return 2; }
    signal(SIGPIPE, SIG_IGN);
    main_thread = pthread_self();
    load_scenario(scenario);
    primary = calloc((size_t)width * height, 4);

    server = spice_server_new();
    spice_server_set_addr(server, "127.0.0.1", 0);
    spice_server_set_port(server, port);
    if (password) spice_server_set_ticket(server, password, 0, 0, 0);
    else spice_server_set_noauth(server);
    spice_server_set_image_compression(server, image);
    spice_server_set_jpeg_compression(server, jpeg);
    spice_server_set_zlib_glz_compression(server, zlib);
    /* repeated DRAW_COPYs must stay DRAW_COPYs, not become an MJPEG stream */
    spice_server_set_streaming_video(server, SPICE_STREAM_VIDEO_OFF);
    if (spice_server_init(server, &core) != 0) {
        fprintf(stderr, "test-server: spice_server_init failed (port %d)\n", port);
        return 1;
    }
    qxl.base.sif = &qxl_sif.base;
    qxl.id = 0;
    spice_server_add_interface(server, &qxl.base);
    rec.base.sif = &record_sif.base;
    spice_server_add_interface(server, &rec.base);
    /* as QEMU does: 48000 (get_best_record_rate) makes the library offer SPICE_RECORD_CAP_OPUS */
    spice_server_set_record_rate(&rec, (uint32_t)record_rate);
    printf("listening %d\n", port);
    fflush(stdout);

    struct pollfd pfd[MAX_WATCHES + 1];
    struct SpiceWatch *pw[MAX_WATCHES + 1];
    while (!quit) {
        int n = 0;
        pfd[n] = (struct pollfd){ .fd = 0, .events = POLLIN };
        pw[n++] = NULL;
        for (int i = 0; i < MAX_WATCHES; i++) {
            if (!watches[i].used) continue;
            short ev = 0;
            if (watches[i].mask & SPICE_WATCH_EVENT_READ) ev |= POLLIN;
            if (watches[i].mask & SPICE_WATCH_EVENT_WRITE) ev |= POLLOUT;
            pfd[n] = (struct pollfd){ .fd = watches[i].fd, .events = ev };
            pw[n++] = &watches[i];
        }
        int timeout = rec_file ? 10 : 1000;
        uint64_t t = now_ms();
        for (int i = 0; i < MAX_TIMERS; i++) {
            if (timers[i].used && timers[i].armed) {
                int64_t d = (int64_t)(timers[i].due_ms - t);
                if (d < 0) d = 0;
                if (d < timeout) timeout = (int)d;
            }
        }
        if (poll(pfd, n, timeout) < 0 && errno != EINTR) { perror("poll"); return 1; }
        if (pfd[0].revents) read_stdin();
        record_drain();
        for (int i = 1; i < n; i++) {
            /* a callback may have removed or replaced this watch */
            struct SpiceWatch *w = pw[i];
            if (!pfd[i].revents || !w->used || w->fd != pfd[i].fd) continue;
            int ev = 0;
            if (pfd[i].revents & POLLIN) ev |= SPICE_WATCH_EVENT_READ;
            if (pfd[i].revents & POLLOUT) ev |= SPICE_WATCH_EVENT_WRITE;
            /* hang-up or error: wake whatever it waits for, its read/write then sees the error */
            if (pfd[i].revents & (POLLHUP | POLLERR | POLLNVAL)) ev |= w->mask;
            ev &= w->mask;
            if (ev) w->func(w->fd, ev, w->opaque);
        }
        t = now_ms();
        for (int i = 0; i < MAX_TIMERS; i++) {
            if (timers[i].used && timers[i].armed && timers[i].due_ms <= t) {
                timers[i].armed = 0;
                timers[i].func(timers[i].opaque);
            }
        }
    }
    spice_server_destroy(server);
    return 0;
}
