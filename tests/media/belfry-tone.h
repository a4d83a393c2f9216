/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Test audio: WAV files (16-bit mono PCM) written and read without any
 * library, and the measures the media tests check. */

typedef struct {
  guint rate;
  GArray *samples; /* gint16 */
} BelfryWav;

gboolean   belfry_tone_write_wav       (const char  *path,
                                        guint        rate,
                                        double       frequency,
                                        double       seconds,
                                        double       amplitude,
                                        GError     **error);
gboolean   belfry_tone_write_wav_full  (const char  *path,
                                        guint        rate,
                                        guint        channels,
                                        gboolean     with_extra_chunk,
                                        double       frequency,
                                        double       seconds,
                                        double       amplitude,
                                        GError     **error);
BelfryWav *belfry_wav_read             (const char  *path,
                                        GError     **error);
void       belfry_wav_free             (BelfryWav   *wav);

/* The longest stretch of 20 ms frames louder than @threshold (RMS, in
 * sample units), as first sample and length; up to three quiet frames
 * within it do not end it. */
gboolean   belfry_tone_find_active     (const gint16 *samples,
                                        gsize         n_samples,
                                        guint         rate,
                                        double        threshold,
                                        gsize        *start,
                                        gsize        *length);
double     belfry_tone_rms             (const gint16 *samples,
                                        gsize         n_samples);
double     belfry_tone_zero_crossing_frequency (const gint16 *samples,
                                                gsize         n_samples,
                                                guint         rate);
double     belfry_tone_goertzel_ratio  (const gint16 *samples,
                                        gsize         n_samples,
                                        guint         rate,
                                        double        frequency);

/* The RMS of each whole 20 ms frame of @wav, as doubles: the amplitude
 * envelope that speech keeps through a codec. */
GArray    *belfry_tone_envelope        (const BelfryWav *wav);
/* Pearson's correlation of @a and @b; 0 when either does not vary, as
 * silence or a steady tone do not. */
double     belfry_tone_correlation     (const double *a,
                                        const double *b,
                                        gsize         n);

/* The whole check: @wav holds at least @min_seconds of a tone within
 * @tolerance Hz of @frequency, mostly that tone, with an RMS between
 * @min_rms and @max_rms. Says what it found in @report. */
gboolean   belfry_tone_check           (const BelfryWav *wav,
                                        double           frequency,
                                        double           tolerance,
                                        double           min_seconds,
                                        double           min_rms,
                                        double           max_rms,
                                        char           **report);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BelfryWav, belfry_wav_free)

G_END_DECLS
