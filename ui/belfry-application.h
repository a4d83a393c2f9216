#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define BELFRY_TYPE_APPLICATION (belfry_application_get_type ())

G_DECLARE_FINAL_TYPE (BelfryApplication, belfry_application, BELFRY, APPLICATION, AdwApplication)

BelfryApplication *belfry_application_new (void);

G_END_DECLS
