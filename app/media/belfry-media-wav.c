/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-media"

#include "config.h"

#include "belfry-media-error.h"
#include "belfry-media-wav-private.h"

#include <gio/gio.h>
#include <mediastreamer2/msfilter.h>

#include <math.h>
#include <string.h>

#define WAVE_FORMAT_PCM        1
#define WAVE_FORMAT_IEEE_FLOAT 3
#define WAVE_FORMAT_EXTENSIBLE 0xfffe

/* The sample rates a file may have. mediastreamer2's resampler (speex's)
 * sizes its filter by the ratio of the rates: a header claiming 4 GHz
 * would ask for gigabytes. */
#define MIN_RATE 1000
#define MAX_RATE 768000

typedef struct {
  guint format;
  guint channels;
  guint rate;
  guint bits;
  const guint8 *data;
  gsize data_size;
} WavInfo;

static guint32
read_le32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static guint16
read_le16 (const guint8 *p)
{
  return (guint16) (p[0] | p[1] << 8);
}

/* Walks the RIFF chunks for "fmt " and "data"; other chunks (LIST, fact)
 * are skipped. */
static gboolean
parse_wav (const guint8  *bytes,
           gsize          size,
           const char    *path,
           WavInfo       *info,
           GError       **error)
{
  gsize offset = 12;
  gboolean have_format = FALSE;

  memset (info, 0, sizeof *info);
  if (size < 12 || memcmp (bytes, "RIFF", 4) != 0 || memcmp (bytes + 8, "WAVE", 4) != 0) {
    g_set_error (error, BELFRY_MEDIA_ERROR, BELFRY_MEDIA_ERROR_FILE,
                 "%s is not a WAV file", path);
    return FALSE;
  }

  while (offset + 8 <= size) {
    const guint8 *chunk = bytes + offset;
    gsize chunk_size = read_le32 (chunk + 4);
    gsize available = MIN (chunk_size, size - offset - 8);

    if (memcmp (chunk, "fmt ", 4) == 0 && available >= 16) {
      info->format = read_le16 (chunk + 8);
      info->channels = read_le16 (chunk + 10);
      info->rate = read_le32 (chunk + 12);
      info->bits = read_le16 (chunk + 22);
      if (info->format == WAVE_FORMAT_EXTENSIBLE && available >= 26)
        info->format = read_le16 (chunk + 32);
      have_format = TRUE;
    } else if (memcmp (chunk, "data", 4) == 0) {
      info->data = chunk + 8;
      info->data_size = available;
      break;
    }
    /* Chunks are padded to an even size. */
    offset += 8 + chunk_size + (chunk_size & 1);
  }

  if (!have_format || info->data == NULL || info->channels == 0 ||
      info->rate < MIN_RATE || info->rate > MAX_RATE ||
      !((info->format == WAVE_FORMAT_PCM &&
         (info->bits == 8 || info->bits == 16 || info->bits == 24 || info->bits == 32)) ||
        (info->format == WAVE_FORMAT_IEEE_FLOAT && info->bits == 32))) {
    g_set_error (error, BELFRY_MEDIA_ERROR, BELFRY_MEDIA_ERROR_FILE,
                 "%s is not a PCM WAV file that Belfry can read", path);
    return FALSE;
  }
  return TRUE;
}

gboolean
belfry_media_wav_probe (const char  *path,
                        guint       *rate,
                        guint       *channels,
                        guint       *bits,
                        GError     **error)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileInputStream) stream = NULL;
  guint8 header[4096];
  gsize length = 0;
  WavInfo info;

  /* The header is at the start; a data chunk that goes beyond what was
   * read is cut short, which the probe does not mind. */
  stream = g_file_read (file, NULL, error);
  if (stream == NULL ||
      !g_input_stream_read_all (G_INPUT_STREAM (stream), header, sizeof header, &length, NULL, error))
    return FALSE;
  if (!parse_wav (header, length, path, &info, error))
    return FALSE;

  *rate = info.rate;
  *channels = info.channels;
  *bits = info.format == WAVE_FORMAT_PCM ? info.bits : 0;
  return TRUE;
}

/* One frame's channels mixed down, as a float in -1..1. */
static float
read_frame (const WavInfo *info,
            gsize          frame)
{
  guint bytes = info->bits / 8;
  const guint8 *p = info->data + frame * bytes * info->channels;
  double sum = 0;

  for (guint c = 0; c < info->channels; c++, p += bytes) {
    switch (info->bits) {
    case 8:
      sum += (p[0] - 128) / 128.0;
      break;
    case 16:
      sum += (gint16) read_le16 (p) / 32768.0;
      break;
    case 24:
      sum += ((gint32) ((guint32) p[0] << 8 | (guint32) p[1] << 16 | (guint32) p[2] << 24) >> 8) /
             8388608.0;
      break;
    case 32:
    default:
      if (info->format == WAVE_FORMAT_IEEE_FLOAT) {
        guint32 raw = read_le32 (p);
        float value;

        memcpy (&value, &raw, sizeof value);
        /* Float samples are -1..1; a file may hold anything, NaN and
         * infinities too, which no 16-bit sample can stand for. */
        sum += isfinite (value) ? CLAMP (value, -1.0f, 1.0f) : 0.0f;
      } else {
        sum += (gint32) read_le32 (p) / 2147483648.0;
      }
    }
  }
  return (float) (sum / info->channels);
}

static void
put_le16 (guint8 *p,
          guint16 value)
{
  p[0] = value & 0xff;
  p[1] = value >> 8;
}

static void
put_le32 (guint8 *p,
          guint32 value)
{
  put_le16 (p, value & 0xffff);
  put_le16 (p + 2, value >> 16);
}

static gboolean
write_wav (const char    *path,
           guint          rate,
           const gint16  *samples,
           gsize          n_samples,
           GError       **error)
{
  gsize size = 44 + n_samples * 2;
  g_autofree guint8 *bytes = g_malloc (size);

  memcpy (bytes, "RIFF", 4);
  put_le32 (bytes + 4, size - 8);
  memcpy (bytes + 8, "WAVEfmt ", 8);
  put_le32 (bytes + 16, 16);
  put_le16 (bytes + 20, WAVE_FORMAT_PCM);
  put_le16 (bytes + 22, 1);
  put_le32 (bytes + 24, rate);
  put_le32 (bytes + 28, rate * 2);
  put_le16 (bytes + 32, 2);
  put_le16 (bytes + 34, 16);
  memcpy (bytes + 36, "data", 4);
  put_le32 (bytes + 40, n_samples * 2);

  for (gsize i = 0; i < n_samples; i++)
    put_le16 (bytes + 44 + 2 * i, (guint16) samples[i]);
  return g_file_set_contents (path, (const char *) bytes, size, error);
}

static gint16
to_pcm16 (double value)
{
  return (gint16) CLAMP (round (value * 32767.0), -32768.0, 32767.0);
}

/* mediastreamer2's resampler (speex's, as calls use it) run by hand on
 * @samples: the filter is in no graph and on no ticker, its queues are
 * ours, and one process call takes all of the input, in 20 ms blocks as
 * a stream would give it (a rate from a broken header still gets some). */
static GArray *
resample (MSFactory    *factory,
          const gint16 *samples,
          gsize         n_samples,
          guint         input_rate,
          guint         output_rate)
{
  MSFilter *resampler = ms_factory_create_filter (factory, MS_RESAMPLE_ID);
  GArray *output = g_array_new (FALSE, FALSE, sizeof (gint16));
  int rates[2] = { (int) input_rate, (int) output_rate };
  int channels = 1;
  gsize block = MAX (input_rate / 50, 1);
  MSQueue in_queue, out_queue;
  mblk_t *m;

  ms_filter_call_method (resampler, MS_FILTER_SET_SAMPLE_RATE, &rates[0]);
  ms_filter_call_method (resampler, MS_FILTER_SET_OUTPUT_SAMPLE_RATE, &rates[1]);
  ms_filter_call_method (resampler, MS_FILTER_SET_NCHANNELS, &channels);
  ms_filter_call_method (resampler, MS_FILTER_SET_OUTPUT_NCHANNELS, &channels);
  ms_queue_init (&in_queue);
  ms_queue_init (&out_queue);
  resampler->inputs[0] = &in_queue;
  resampler->outputs[0] = &out_queue;

  for (gsize i = 0; i < n_samples; i += block) {
    gsize bytes = MIN (block, n_samples - i) * sizeof (gint16);

    m = allocb (bytes, 0);
    memcpy (m->b_wptr, samples + i, bytes);
    m->b_wptr += bytes;
    ms_queue_put (&in_queue, m);
  }

  ms_filter_preprocess (resampler, NULL);
  ms_filter_process (resampler);
  ms_filter_postprocess (resampler);

  while ((m = ms_queue_get (&out_queue)) != NULL) {
    g_array_append_vals (output, m->b_rptr, (m->b_wptr - m->b_rptr) / sizeof (gint16));
    freemsg (m);
  }
  ms_queue_flush (&in_queue);
  resampler->inputs[0] = NULL;
  resampler->outputs[0] = NULL;
  ms_filter_destroy (resampler);
  return output;
}

gboolean
belfry_media_wav_convert (MSFactory   *factory,
                          const char  *input,
                          const char  *output,
                          guint        rate,
                          GError     **error)
{
  g_autoptr (GMappedFile) mapped = g_mapped_file_new (input, FALSE, error);
  g_autofree gint16 *mono = NULL;
  g_autoptr (GArray) resampled = NULL;
  gsize n_in;
  WavInfo info;

  if (mapped == NULL)
    return FALSE;
  if (!parse_wav ((const guint8 *) g_mapped_file_get_contents (mapped),
                  g_mapped_file_get_length (mapped), input, &info, error))
    return FALSE;

  n_in = info.data_size / (info.bits / 8 * info.channels);
  mono = g_new (gint16, MAX (n_in, 1));
  for (gsize i = 0; i < n_in; i++)
    mono[i] = to_pcm16 (read_frame (&info, i));

  if (info.rate == rate)
    return write_wav (output, rate, mono, n_in, error);

  resampled = resample (factory, mono, n_in, info.rate, rate);
  return write_wav (output, rate, (const gint16 *) resampled->data, resampled->len, error);
}

gboolean
belfry_media_wav_write_tone (const char  *path,
                             guint        rate,
                             double       frequency1,
                             double       frequency2,
                             double       seconds,
                             double       amplitude,
                             GError     **error)
{
  gsize n = (gsize) (rate * seconds);
  gsize fade = rate / 100;
  g_autofree gint16 *samples = g_new (gint16, MAX (n, 1));

  for (gsize i = 0; i < n; i++) {
    double value = sin (2.0 * G_PI * frequency1 * i / rate);
    double gain = 1.0;

    if (frequency2 > 0)
      value = (value + sin (2.0 * G_PI * frequency2 * i / rate)) / 2.0;
    /* 10 ms ramps, so that a loop does not click. */
    if (i < fade)
      gain = (double) i / fade;
    else if (n - i < fade)
      gain = (double) (n - i) / fade;
    samples[i] = to_pcm16 (value * gain * amplitude);
  }
  return write_wav (path, rate, samples, n, error);
}

gboolean
belfry_media_wav_repair_header (const char  *path,
                                GError     **error)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileIOStream) stream = NULL;
  GInputStream *input;
  GOutputStream *output;
  guint8 header[44];
  guint32 sizes[2];
  gsize length = 0;
  goffset end;

  stream = g_file_open_readwrite (file, NULL, error);
  if (stream == NULL)
    return FALSE;
  input = g_io_stream_get_input_stream (G_IO_STREAM (stream));
  output = g_io_stream_get_output_stream (G_IO_STREAM (stream));
  if (!g_input_stream_read_all (input, header, sizeof header, &length, NULL, error))
    return FALSE;
  /* Only the layout the recorder writes: RIFF, WAVE, a 16-byte fmt chunk,
   * then data. Anything else is left alone. */
  if (length < sizeof header || memcmp (header, "RIFF", 4) != 0 ||
      memcmp (header + 8, "WAVEfmt ", 8) != 0 || memcmp (header + 36, "data", 4) != 0)
    return TRUE;

  if (!g_seekable_seek (G_SEEKABLE (stream), 0, G_SEEK_END, NULL, error))
    return FALSE;
  end = g_seekable_tell (G_SEEKABLE (stream));
  if (end > G_MAXUINT32)
    return TRUE;
  sizes[0] = GUINT32_TO_LE ((guint32) end - 8);
  sizes[1] = GUINT32_TO_LE ((guint32) end - sizeof header);
  return g_seekable_seek (G_SEEKABLE (stream), 4, G_SEEK_SET, NULL, error) &&
         g_output_stream_write_all (output, &sizes[0], 4, NULL, NULL, error) &&
         g_seekable_seek (G_SEEKABLE (stream), 40, G_SEEK_SET, NULL, error) &&
         g_output_stream_write_all (output, &sizes[1], 4, NULL, NULL, error) &&
         g_io_stream_close (G_IO_STREAM (stream), NULL, error);
}
