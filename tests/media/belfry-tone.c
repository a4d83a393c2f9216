/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "belfry-tone.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

#define FRAME_MS 20
/* A stretch of sound goes on through a dropout of up to 60 ms: a packet
 * that came too late for the jitter buffer, which the decoder conceals by
 * fading out (opus on a busy machine, or under AddressSanitizer). It says
 * nothing of the pitch or level that the check is about. */
#define MAX_DROPOUT_FRAMES 3

static void
put_u32 (GByteArray *bytes,
         guint32     value)
{
  guint8 le[4] = { value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff, (value >> 24) & 0xff };

  g_byte_array_append (bytes, le, 4);
}

static void
put_u16 (GByteArray *bytes,
         guint16     value)
{
  guint8 le[2] = { value & 0xff, (value >> 8) & 0xff };

  g_byte_array_append (bytes, le, 2);
}

static guint32
get_u32 (const guint8 *p)
{
  return p[0] | (p[1] << 8) | (p[2] << 16) | ((guint32) p[3] << 24);
}

static guint16
get_u16 (const guint8 *p)
{
  return p[0] | (p[1] << 8);
}

/* A canonical 44-byte header and the tone, 16-bit little endian, the same
 * in every channel, with a LIST chunk first when @with_extra_chunk (as
 * many editors write), which a reader must skip. */
gboolean
belfry_tone_write_wav_full (const char  *path,
                            guint        rate,
                            guint        channels,
                            gboolean     with_extra_chunk,
                            double       frequency,
                            double       seconds,
                            double       amplitude,
                            GError     **error)
{
  g_autoptr (GByteArray) bytes = g_byte_array_new ();
  guint32 n = (guint32) (rate * seconds);
  guint32 data_size = n * 2 * channels;
  guint32 extra = with_extra_chunk ? 8 + 4 : 0;

  g_byte_array_append (bytes, (const guint8 *) "RIFF", 4);
  put_u32 (bytes, 36 + extra + data_size);
  g_byte_array_append (bytes, (const guint8 *) "WAVEfmt ", 8);
  put_u32 (bytes, 16);
  put_u16 (bytes, 1);
  put_u16 (bytes, channels);
  put_u32 (bytes, rate);
  put_u32 (bytes, rate * 2 * channels);
  put_u16 (bytes, 2 * channels);
  put_u16 (bytes, 16);
  if (with_extra_chunk) {
    g_byte_array_append (bytes, (const guint8 *) "LIST", 4);
    put_u32 (bytes, 4);
    g_byte_array_append (bytes, (const guint8 *) "INFO", 4);
  }
  g_byte_array_append (bytes, (const guint8 *) "data", 4);
  put_u32 (bytes, data_size);

  for (guint32 i = 0; i < n; i++) {
    gint16 sample = (gint16) lround (amplitude * sin (2 * G_PI * frequency * i / rate));

    for (guint c = 0; c < channels; c++)
      put_u16 (bytes, (guint16) sample);
  }

  return g_file_set_contents (path, (const char *) bytes->data, bytes->len, error);
}

gboolean
belfry_tone_write_wav (const char  *path,
                       guint        rate,
                       double       frequency,
                       double       seconds,
                       double       amplitude,
                       GError     **error)
{
  return belfry_tone_write_wav_full (path, rate, 1, FALSE, frequency, seconds, amplitude, error);
}

void
belfry_wav_free (BelfryWav *wav)
{
  if (wav == NULL)
    return;
  g_array_unref (wav->samples);
  g_free (wav);
}

/* Walks the RIFF chunks; a data chunk whose size was never written (a
 * recorder that did not close) runs to the end of the file. */
BelfryWav *
belfry_wav_read (const char  *path,
                 GError     **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0, offset = 12;
  const guint8 *data;
  guint16 format = 0, channels = 0, bits = 0;
  guint32 rate = 0;

  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;

  data = (const guint8 *) contents;
  if (length < 12 || memcmp (data, "RIFF", 4) != 0 || memcmp (data + 8, "WAVE", 4) != 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s is not a WAV file", path);
    return NULL;
  }

  while (offset + 8 <= length) {
    guint32 size = get_u32 (data + offset + 4);
    const guint8 *body = data + offset + 8;

    if (memcmp (data + offset, "fmt ", 4) == 0 && offset + 8 + 16 <= length) {
      format = get_u16 (body);
      channels = get_u16 (body + 2);
      rate = get_u32 (body + 4);
      bits = get_u16 (body + 14);
    } else if (memcmp (data + offset, "data", 4) == 0) {
      BelfryWav *wav;
      gsize available = length - offset - 8;
      gsize n;

      if (format != 1 || channels != 1 || bits != 16) {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                     "%s: format %u, %u channels, %u bits: only 16-bit mono PCM is read",
                     path, format, channels, bits);
        return NULL;
      }
      if (size == 0 || size > available)
        size = available;
      n = size / 2;
      wav = g_new0 (BelfryWav, 1);
      wav->rate = rate;
      wav->samples = g_array_sized_new (FALSE, FALSE, sizeof (gint16), n);
      for (gsize i = 0; i < n; i++) {
        gint16 sample = (gint16) get_u16 (body + 2 * i);

        g_array_append_val (wav->samples, sample);
      }
      return wav;
    }
    offset += 8 + size + (size & 1);
  }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s has no data chunk", path);
  return NULL;
}

double
belfry_tone_rms (const gint16 *samples,
                 gsize         n_samples)
{
  double sum = 0;

  if (n_samples == 0)
    return 0;
  for (gsize i = 0; i < n_samples; i++)
    sum += (double) samples[i] * samples[i];
  return sqrt (sum / n_samples);
}

gboolean
belfry_tone_find_active (const gint16 *samples,
                         gsize         n_samples,
                         guint         rate,
                         double        threshold,
                         gsize        *start,
                         gsize        *length)
{
  gsize frame = rate * FRAME_MS / 1000;
  gsize best_start = 0, best_length = 0, run_start = 0, run_length = 0;
  guint quiet = 0;

  for (gsize i = 0; frame > 0 && i + frame <= n_samples; i += frame) {
    if (belfry_tone_rms (samples + i, frame) > threshold) {
      if (run_length == 0)
        run_start = i;
      run_length += (quiet + 1) * frame;
      quiet = 0;
      if (run_length > best_length) {
        best_start = run_start;
        best_length = run_length;
      }
    } else if (run_length > 0 && ++quiet <= MAX_DROPOUT_FRAMES) {
      /* Part of the stretch if sound comes back soon enough. */
    } else {
      run_length = 0;
      quiet = 0;
    }
  }

  *start = best_start;
  *length = best_length;
  return best_length > 0;
}

/* Counts upward crossings of zero and places each one between its two
 * samples, so that the estimate is finer than a sample period. */
double
belfry_tone_zero_crossing_frequency (const gint16 *samples,
                                     gsize         n_samples,
                                     guint         rate)
{
  double first = -1, last = -1;
  guint crossings = 0;

  for (gsize i = 1; i < n_samples; i++) {
    if (samples[i - 1] < 0 && samples[i] >= 0) {
      double at = (i - 1) + (double) -samples[i - 1] / (samples[i] - samples[i - 1]);

      if (first < 0)
        first = at;
      last = at;
      crossings++;
    }
  }

  if (crossings < 2)
    return 0;
  return (crossings - 1) * (double) rate / (last - first);
}

/* The share of the signal's energy at @frequency, measured in 20 ms
 * frames so that a jitter buffer's small jumps of phase do not count. */
double
belfry_tone_goertzel_ratio (const gint16 *samples,
                            gsize         n_samples,
                            guint         rate,
                            double        frequency)
{
  double coefficient = 2 * cos (2 * G_PI * frequency / rate);
  gsize frame = rate * FRAME_MS / 1000;
  double total_power = 0, total_reference = 0;

  for (gsize i = 0; frame > 0 && i + frame <= n_samples; i += frame) {
    double s1 = 0, s2 = 0, energy = 0;

    for (gsize j = i; j < i + frame; j++) {
      double s0 = samples[j] + coefficient * s1 - s2;

      s2 = s1;
      s1 = s0;
      energy += (double) samples[j] * samples[j];
    }
    total_power += s1 * s1 + s2 * s2 - coefficient * s1 * s2;
    /* A pure tone of N samples gives a power of its energy times N / 2. */
    total_reference += energy * frame / 2;
  }

  return total_reference > 0 ? total_power / total_reference : 0;
}

GArray *
belfry_tone_envelope (const BelfryWav *wav)
{
  const gint16 *samples = (const gint16 *) wav->samples->data;
  gsize frame = wav->rate * FRAME_MS / 1000;
  GArray *envelope = g_array_new (FALSE, FALSE, sizeof (double));

  for (gsize i = 0; frame > 0 && i + frame <= wav->samples->len; i += frame) {
    double rms = belfry_tone_rms (samples + i, frame);

    g_array_append_val (envelope, rms);
  }
  return envelope;
}

double
belfry_tone_correlation (const double *a,
                         const double *b,
                         gsize         n)
{
  double mean_a = 0, mean_b = 0, cov = 0, var_a = 0, var_b = 0;

  if (n < 2)
    return 0;
  for (gsize i = 0; i < n; i++) {
    mean_a += a[i];
    mean_b += b[i];
  }
  mean_a /= n;
  mean_b /= n;
  for (gsize i = 0; i < n; i++) {
    cov += (a[i] - mean_a) * (b[i] - mean_b);
    var_a += (a[i] - mean_a) * (a[i] - mean_a);
    var_b += (b[i] - mean_b) * (b[i] - mean_b);
  }
  /* Below a hundredth of a sample unit of spread, a signal is constant. */
  if (var_a < 1e-4 * n || var_b < 1e-4 * n)
    return 0;
  return cov / sqrt (var_a * var_b);
}

gboolean
belfry_tone_check (const BelfryWav *wav,
                   double           frequency,
                   double           tolerance,
                   double           min_seconds,
                   double           min_rms,
                   double           max_rms,
                   char           **report)
{
  const gint16 *samples = (const gint16 *) wav->samples->data;
  gsize start, length, skip;
  double seconds, found, rms, ratio;

  if (!belfry_tone_find_active (samples, wav->samples->len, wav->rate, min_rms / 2,
                                &start, &length)) {
    *report = g_strdup_printf ("no sound at all in %.2f s at %u Hz",
                               (double) wav->samples->len / MAX (wav->rate, 1), wav->rate);
    return FALSE;
  }

  /* Leave out the first and last 100 ms: the jitter buffer fills and
   * empties there. */
  skip = wav->rate / 10;
  if (length > 4 * skip) {
    start += skip;
    length -= 2 * skip;
  }

  seconds = (double) length / wav->rate;
  found = belfry_tone_zero_crossing_frequency (samples + start, length, wav->rate);
  rms = belfry_tone_rms (samples + start, length);
  ratio = belfry_tone_goertzel_ratio (samples + start, length, wav->rate, frequency);

  *report = g_strdup_printf ("%.2f s of sound at %u Hz: %.1f Hz, RMS %.0f, %.0f %% of the "
                             "energy at %.0f Hz", seconds, wav->rate, found, rms, ratio * 100,
                             frequency);

  return seconds >= min_seconds &&
         fabs (found - frequency) <= tolerance &&
         rms >= min_rms && rms <= max_rms &&
         ratio >= 0.8;
}
