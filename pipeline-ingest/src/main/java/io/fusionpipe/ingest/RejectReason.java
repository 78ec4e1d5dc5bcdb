package io.fusionpipe.ingest;

import java.util.Locale;

/** Why an input row is not in the dataset. Every reject row carries one, as its snake_case code. */
public enum RejectReason {
    MALFORMED_RECORD("the record could not be parsed (bad JSON/CSV line, wrong column type)"),
    MISSING_ID("the record has no id"),
    CAPTION_WITHOUT_IMAGE("a caption whose image is missing from the source"),
    IMAGE_WITHOUT_CAPTION("an image that no caption refers to"),
    PATH_OUTSIDE_ROOT("the image path escapes the input's folder (.., absolute path, symlink, tar member)"),
    UNSUPPORTED_URL_SCHEME("an image URL whose scheme is not http or https"),
    HOST_NOT_ALLOWED("an image URL whose host is not in fusionpipe.ingest.fetch.allowed-hosts"),
    ADDRESS_NOT_ALLOWED("an image URL (or a redirect) whose host is or resolves to a loopback, private, link-local or other"
            + " internal address not in fusionpipe.ingest.fetch.allow-private; nothing was sent to it"),
    TOO_MANY_REDIRECTS("an image URL redirected more than fusionpipe.ingest.fetch.max-redirects times"),
    REDIRECT_SCHEME_CHANGE("an image URL redirected to another scheme (http to https or back, or not http at all)"),
    FETCH_TIMEOUT("fetching the image (all tries and its body) took longer than fusionpipe.ingest.fetch.total-timeout"),
    IMAGE_NOT_FOUND("the image file does not exist"),
    FETCH_FAILED("the image URL could not be fetched (HTTP status or error in the detail)"),
    ZERO_BYTES("the image file is empty"),
    IMAGE_TOO_LARGE("the image file is over fusionpipe.ingest.image.max-bytes"),
    UNSUPPORTED_FORMAT("the bytes are not PNG, JPEG, GIF, BMP or WebP"),
    TOO_MANY_PIXELS("the header declares more pixels than fusionpipe.ingest.image.max-pixels (not decoded)"),
    UNREADABLE_IMAGE("the image could not be decoded"),
    TRUNCATED_IMAGE("the image data ends early"),
    TOO_SMALL("a side is shorter than fusionpipe.ingest.image.min-side"),
    EXTREME_ASPECT_RATIO("long side over fusionpipe.ingest.image.max-aspect-ratio times the short side"),
    EMPTY_CAPTION("the caption is missing, empty or whitespace"),
    CAPTION_TOO_LONG("the caption is over fusionpipe.ingest.caption.max-chars"),
    INVALID_UTF8("the caption bytes are not valid UTF-8"),
    DUPLICATE_ID_CONFLICT("an earlier row has the same id with a different image"),
    DUPLICATE_ROW("an earlier row has the same id, image and caption"),
    DUPLICATE_IMAGE("an earlier row has the same image bytes (sha256)"),
    NEAR_DUPLICATE_IMAGE("an earlier row has a perceptually near-identical image"),
    ALREADY_IN_DATASET("append mode: the id is already in the latest version"),
    BAD_SPLIT("the split column (ingest.split.column) is missing or not train, val (validation, valid, dev) or test");

    private final String meaning;

    RejectReason(String meaning) {
        this.meaning = meaning;
    }

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String meaning() {
        return meaning;
    }
}
