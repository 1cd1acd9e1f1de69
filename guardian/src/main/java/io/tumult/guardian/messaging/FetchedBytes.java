package io.tumult.guardian.messaging;

import java.nio.ByteBuffer;

/** The consumer hands keys and values over as views of the fetched bytes; this copies one out where bytes are needed. */
final class FetchedBytes {

    private FetchedBytes() {
    }

    /** The bytes {@code view} holds (its position unmoved), or null for none. */
    static byte[] copy(ByteBuffer view) {
        if (view == null) {
            return null;
        }
        byte[] out = new byte[view.remaining()];
        view.duplicate().get(out);
        return out;
    }
}
