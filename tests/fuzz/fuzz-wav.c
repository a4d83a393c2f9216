/* SPDX-License-Identifier: GPL-3.0-or-later */

/* WAV files given to --play: Belfry reads their header, then converts
 * them to the codec's rate (app/media/belfry-media-wav.c) before
 * mediastreamer2's player sees them. */
#include "belfry-fuzz.h"
#include "belfry-media-engine-private.h"
#include "belfry-media-engine.h"
#include "belfry-media-wav-private.h"

#include <glib/gstdio.h>

/* The converter resamples with mediastreamer2's filter, from the engine's
 * factory, as --play does. */
static BelfryMediaEngine *engine;

void
belfry_fuzz_set_up (void)
{
  engine = belfry_media_engine_new ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  /* The rates of the codecs Belfry offers: G.711 and GSM, G722, opus. */
  static const guint rates[] = { 8000, 16000, 48000 };
  g_autofree char *input = belfry_fuzz_write_file ("input.wav", data, size);
  g_autofree char *output = g_build_filename (belfry_fuzz_scratch_dir (), "output.wav", NULL);
  guint rate = 0, channels = 0, bits = 0;

  if (!belfry_media_wav_probe (input, &rate, &channels, &bits, NULL))
    return 0;

  /* The rate comes from the input's length, so that one file is tried at
   * each rate across the corpus without a byte of its own. */
  if (belfry_media_wav_convert (belfry_media_engine_get_factory (engine), input, output,
                                rates[size % G_N_ELEMENTS (rates)], NULL)) {
    guint out_rate, out_channels, out_bits;

    /* What Belfry wrote, Belfry reads back as 16-bit mono. */
    g_assert (belfry_media_wav_probe (output, &out_rate, &out_channels, &out_bits, NULL));
    g_assert (out_channels == 1 && out_bits == 16);
    g_assert (out_rate == rates[size % G_N_ELEMENTS (rates)]);
  }
  g_remove (output);
  return 0;
}
