/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-sip-loop"
/* RTLD_NEXT, for the parser guard at the end. */
#define _GNU_SOURCE

#include "config.h"

#include "belfry-log-private.h"
#include "belfry-sip-loop.h"

#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <sys/epoll.h>
#include <unistd.h>

/*
 * belle-sip runs inside the poll step of the default GMainContext.
 *
 * belle-sip exports no descriptors or timers to put in a GSource, and
 * ticking it from a GLib timeout is slow and loses datagrams under load. So
 * the context's poll function is replaced: GLib's descriptors go into one
 * epoll descriptor, which belle-sip watches as one of its sockets, and the
 * wait itself happens in belle_sip_stack_sleep(). When a GLib descriptor
 * becomes ready, or a belle-sip callback of ours has queued GLib work, the
 * belle-sip loop is told to quit so that GLib can dispatch. An idle process
 * sleeps in one epoll_wait(), with no polling.
 *
 * One stack serves every user agent of the process, since a context has
 * one poll function.
 */

typedef struct {
  guint refs;
  belle_sip_stack_t *stack;
  belle_sip_main_loop_t *main_loop;
  belle_sip_source_t *epoll_source;
  int epoll_fd;
  /* fd -> epoll events registered now */
  GHashTable *watched;
  GPollFunc previous_poll;
  gboolean sleeping;
  bctbx_log_handler_t *log_handler;
  /* Providers of stopped user agents: their transactions and channels may
   * still point at them until the stack goes. */
  GPtrArray *retired;
} BelfrySipLoop;

static BelfrySipLoop loop = { 0, NULL, NULL, NULL, -1, NULL, NULL, FALSE, NULL, NULL };

/* belle-sip sleeps for this long when GLib has no timeout at all. */
#define FOREVER_MS (3600 * 1000)

static void
forward_log (void          *info,
             const char    *domain,
             BctbxLogLevel  level,
             const char    *format,
             va_list        args)
{
  GLogLevelFlags glib_level;
  g_autofree char *formatted = NULL;
  g_autofree char *message = NULL;

  /* What belle-sip calls an error is mostly the network misbehaving
   * (malformed messages, unreachable hosts), not a bug of ours, so it must
   * not abort a test run as a GLib warning would. */
  switch (level) {
  case BCTBX_LOG_FATAL:
  case BCTBX_LOG_ERROR:
  case BCTBX_LOG_WARNING:
    glib_level = G_LOG_LEVEL_MESSAGE;
    break;
  case BCTBX_LOG_MESSAGE:
    glib_level = G_LOG_LEVEL_INFO;
    break;
  case BCTBX_LOG_DEBUG:
  case BCTBX_LOG_TRACE:
  default:
    glib_level = G_LOG_LEVEL_DEBUG;
    break;
  }

  /* belle-sip prints whole SIP messages, SDP included, and mediastreamer2
   * prints bits of SRTP keys: every line loses its secrets first. */
  formatted = g_strdup_vprintf (format, args);
  message = belfry_log_redact (formatted);
  g_log_structured (domain ? domain : "belle-sip", glib_level, "MESSAGE", "%s", message);
}

static guint32
epoll_events_for (gushort glib_events)
{
  guint32 events = 0;

  if (glib_events & G_IO_IN)
    events |= EPOLLIN;
  if (glib_events & G_IO_OUT)
    events |= EPOLLOUT;
  if (glib_events & G_IO_PRI)
    events |= EPOLLPRI;
  return events;
}

/* Brings the epoll set in line with GLib's descriptors. Returns FALSE when
 * a descriptor cannot be watched by epoll (a regular file, which is always
 * ready): the caller then must not wait. */
static gboolean
sync_epoll (GPollFD *ufds,
            guint    nfds)
{
  g_autoptr (GHashTable) wanted = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  gpointer key, value;
  gboolean can_wait = TRUE;

  for (guint i = 0; i < nfds; i++) {
    guint32 events;

    if (ufds[i].fd < 0)
      continue;
    events = GPOINTER_TO_UINT (g_hash_table_lookup (wanted, GINT_TO_POINTER (ufds[i].fd)));
    events |= epoll_events_for (ufds[i].events);
    g_hash_table_insert (wanted, GINT_TO_POINTER (ufds[i].fd), GUINT_TO_POINTER (events));
  }

  g_hash_table_iter_init (&iter, loop.watched);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    if (!g_hash_table_contains (wanted, key)) {
      /* The descriptor may be closed already, and then epoll forgot it. */
      epoll_ctl (loop.epoll_fd, EPOLL_CTL_DEL, GPOINTER_TO_INT (key), NULL);
      g_hash_table_iter_remove (&iter);
    }
  }

  /* Every descriptor is modified each time, not only the changed ones: a
   * descriptor that was closed and whose number came back for another file
   * is unknown to epoll, and only a failing EPOLL_CTL_MOD tells. */
  g_hash_table_iter_init (&iter, wanted);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    struct epoll_event event = { 0 };
    int fd = GPOINTER_TO_INT (key);

    event.events = GPOINTER_TO_UINT (value);
    event.data.fd = fd;

    if (epoll_ctl (loop.epoll_fd, EPOLL_CTL_MOD, fd, &event) == 0 ||
        (errno == ENOENT && epoll_ctl (loop.epoll_fd, EPOLL_CTL_ADD, fd, &event) == 0)) {
      g_hash_table_insert (loop.watched, key, value);
      continue;
    }

    /* A regular file cannot be watched and is always ready. */
    if (errno == EPERM)
      can_wait = FALSE;
    else
      g_debug ("epoll_ctl on %d: %s", fd, g_strerror (errno));
    g_hash_table_remove (loop.watched, key);
  }

  return can_wait;
}

static int
on_glib_fd_ready (void         *user_data,
                  unsigned int  events)
{
  belle_sip_main_loop_quit (loop.main_loop);
  return BELLE_SIP_CONTINUE;
}

static gint
belfry_sip_loop_poll (GPollFD *ufds,
                      guint    nfds,
                      gint     timeout)
{
  /* A main loop run from inside a belle-sip callback must not enter
   * belle-sip again. */
  if (loop.sleeping || loop.stack == NULL)
    return g_poll (ufds, nfds, timeout);

  if (!sync_epoll (ufds, nfds))
    timeout = 0;

  loop.sleeping = TRUE;
  belle_sip_stack_sleep (loop.stack, timeout < 0 ? FOREVER_MS : (unsigned int) timeout);
  loop.sleeping = FALSE;

  return poll ((struct pollfd *) ufds, nfds, 0);
}

/* The libraries format a line before they hand it over, and belle-sip
 * prints every message it sends or receives in full at the MESSAGE level:
 * they are asked only for the lines that GLib will show. */
static void
set_log_levels (void)
{
  static const char * const domains[] = { NULL, "belle-sip", "bctbx", "ortp", "mediastreamer" };

  for (gsize i = 0; i < G_N_ELEMENTS (domains); i++) {
    const char *glib_domain = domains[i] != NULL ? domains[i] : "belle-sip";
    unsigned int mask = BCTBX_LOG_FATAL | BCTBX_LOG_ERROR | BCTBX_LOG_WARNING;

    if (!g_log_writer_default_would_drop (G_LOG_LEVEL_INFO, glib_domain))
      mask |= BCTBX_LOG_MESSAGE;
    if (!g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, glib_domain))
      mask |= BCTBX_LOG_DEBUG | BCTBX_LOG_TRACE;
    bctbx_set_log_level_mask (domains[i], mask);
  }
}

/**
 * belfry_sip_init:
 *
 * Readies belle-sip for use on this thread, once: its log goes to GLib's,
 * and unowned objects have a pool (the stack's main loop empties it).
 */
void
belfry_sip_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized)) {
    loop.log_handler = bctbx_create_log_handler (forward_log, NULL, NULL);
    bctbx_set_log_handler (NULL);
    bctbx_add_log_handler (loop.log_handler);
    set_log_levels ();
    belle_sip_object_pool_push ();
    g_once_init_leave (&initialized, 1);
  }
}

/**
 * belfry_sip_loop_acquire:
 *
 * Takes a reference to the process's belle-sip stack, making it and
 * driving it from the default main context on first use.
 *
 * Returns: (transfer none): the stack
 */
belle_sip_stack_t *
belfry_sip_loop_acquire (void)
{
  GMainContext *context = g_main_context_default ();

  if (loop.refs++ > 0)
    return loop.stack;

  G_STATIC_ASSERT (sizeof (GPollFD) == sizeof (struct pollfd));

  belfry_sip_init ();

  loop.stack = belle_sip_stack_new (NULL);
  loop.main_loop = belle_sip_stack_get_main_loop (loop.stack);
  loop.epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  if (loop.epoll_fd < 0)
    g_error ("epoll_create1: %s", g_strerror (errno));
  loop.watched = g_hash_table_new (NULL, NULL);
  loop.retired = g_ptr_array_new_with_free_func ((GDestroyNotify) belle_sip_object_unref);
  loop.epoll_source = belle_sip_socket_source_new (on_glib_fd_ready, NULL, loop.epoll_fd,
                                                   BELLE_SIP_EVENT_READ, (unsigned int) -1);
  belle_sip_main_loop_add_source (loop.main_loop, loop.epoll_source);

  loop.previous_poll = g_main_context_get_poll_func (context);
  g_main_context_set_poll_func (context, belfry_sip_loop_poll);

  return loop.stack;
}

/**
 * belfry_sip_loop_release:
 *
 * Drops a reference taken with belfry_sip_loop_acquire(); the last one
 * gives the main context its own poll function back and frees the stack.
 */
void
belfry_sip_loop_release (void)
{
  g_return_if_fail (loop.refs > 0);

  if (--loop.refs > 0)
    return;

  g_main_context_set_poll_func (g_main_context_default (), loop.previous_poll);

  belle_sip_main_loop_remove_source (loop.main_loop, loop.epoll_source);
  belle_sip_object_unref (loop.epoll_source);
  loop.epoll_source = NULL;
  /* Let belle-sip free what it deferred (channels, transactions), then
   * the providers, then the stack they point into. */
  belle_sip_stack_sleep (loop.stack, 0);
  g_clear_pointer (&loop.retired, g_ptr_array_unref);
  belle_sip_object_unref (loop.stack);
  loop.stack = NULL;
  loop.main_loop = NULL;
  close (loop.epoll_fd);
  loop.epoll_fd = -1;
  g_clear_pointer (&loop.watched, g_hash_table_unref);
}

/**
 * belfry_sip_loop_retire:
 * @object: (transfer full): a belle-sip object that belongs to the stack
 *
 * Keeps @object until the stack is freed. belle-sip's transactions and
 * channels refer to their provider without a reference, and some outlive
 * a stopped user agent by up to 32 s; freeing the provider before them
 * would leave them pointing at freed memory.
 */
void
belfry_sip_loop_retire (gpointer object)
{
  g_return_if_fail (loop.retired != NULL);

  g_ptr_array_add (loop.retired, object);
}

/**
 * belfry_sip_loop_wake:
 *
 * Called at the end of every belle-sip callback that may have added GLib
 * sources or made some ready, so that GLib dispatches them at once instead
 * of after belle-sip's sleep.
 */
void
belfry_sip_loop_wake (void)
{
  if (loop.sleeping)
    belle_sip_main_loop_quit (loop.main_loop);
}

/* ---- A guard around belle-sip's message parser ----
 *
 * belle-sip 5.1's channel (belle_sip_channel_parse_stream) keeps the
 * message that belle_sip_message_parse_raw() returns even when the parser
 * read none of it (*message_length 0): it logs "Could not parse", takes no
 * reference, and the object pool frees the message at the end of the
 * iteration, while the channel still points at it. The next message from
 * the same peer unreferences the freed one: two datagrams crash the
 * process (found by tests/fuzz/fuzz-sip).
 *
 * The channel calls the parser through the library's PLT, so this
 * definition, exported by every program that links app/sip (meson.build),
 * comes first. A message of which nothing was read is freed here, and the
 * channel gets what it gets for garbage: NULL. */

typedef belle_sip_message_t *(*ParseRawFunc) (const char *buffer,
                                              size_t      length,
                                              size_t     *message_length);

belle_sip_message_t *belle_sip_message_parse_raw (const char *buffer,
                                                  size_t      length,
                                                  size_t     *message_length);

belle_sip_message_t *
belle_sip_message_parse_raw (const char *buffer,
                             size_t      length,
                             size_t     *message_length)
{
  static gsize resolved;
  static ParseRawFunc real_parse_raw;
  belle_sip_message_t *message;

  if (g_once_init_enter (&resolved)) {
    real_parse_raw = (ParseRawFunc) dlsym (RTLD_NEXT, "belle_sip_message_parse_raw");
    if (real_parse_raw == NULL)
      g_error ("belle_sip_message_parse_raw is not in belle-sip: %s", dlerror ());
    g_once_init_leave (&resolved, 1);
  }

  message = real_parse_raw (buffer, length, message_length);
  if (message != NULL && *message_length == 0) {
    belle_sip_object_unref (belle_sip_object_ref (message));
    message = NULL;
  }
  return message;
}
