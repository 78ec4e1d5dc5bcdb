package io.fusionpipe.train.model;

import java.util.Locale;

/** Where image and text meet in a caption model. */
public enum Variant {
    /** The image, only linearly projected from patches, joins the token embeddings at the input of one sequence model. */
    EARLY,
    /** A deep CNN feature grid that the text decoder's hidden states attend over, feeding further decoder layers. */
    INTERMEDIATE,
    /** An image-only and a text-only branch, each with vocabulary scores, combined only at the output. */
    LATE;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Variant parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown fusion variant '" + s + "': expected early, intermediate or late");
        }
    }
}
