/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>
#include <mediastreamer2/msfactory.h>

G_BEGIN_DECLS

/* WAV files for mediastreamer2's file player, which plays 16-bit PCM at
 * the rate and channel count it finds and never resamples. */

/* The rate and channels of a PCM WAV file, read from its header. */
gboolean belfry_media_wav_probe         (const char  *path,
                                         guint       *rate,
                                         guint       *channels,
                                         guint       *bits,
                                         GError     **error);

/* Writes @input as 16-bit mono PCM at @rate to @output: channels are
 * mixed down and the audio is resampled by mediastreamer2's resampler,
 * made by @factory. 8-, 16-, 24- and 32-bit PCM and 32-bit float in. */
gboolean belfry_media_wav_convert       (MSFactory   *factory,
                                         const char  *input,
                                         const char  *output,
                                         guint        rate,
                                         GError     **error);

/* Writes @seconds of 16-bit mono PCM at @rate: the sum of up to two
 * sines (@frequency2 0 for one) with a short fade in and out. */
gboolean belfry_media_wav_write_tone    (const char  *path,
                                         guint        rate,
                                         double       frequency1,
                                         double       frequency2,
                                         double       seconds,
                                         double       amplitude,
                                         GError     **error);

/* Sets the RIFF and data sizes of a 44-byte-header WAV file from the
 * file's length. mediastreamer2's recorder counts its own header in the
 * data size, so strict readers refuse what it wrote, and the next
 * recording appended to the file starts from the wrong size. */
gboolean belfry_media_wav_repair_header (const char  *path,
                                         GError     **error);

G_END_DECLS
