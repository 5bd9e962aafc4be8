package dev.keyedmutex.stress;

/**
 * A multi-field object that a hand-off test's writer builds fresh and publishes through a plain
 * field: the reader must see it whole. Its fields are deliberately not final (final fields have
 * their own publication guarantee, which would hide a missing hand-off edge).
 */
final class Payload {
    long x;
    double y;
    int z;
    int[] w;

    Payload() {
        x = 0x0123_4567_89AB_CDEFL;
        y = 2.5;
        z = 42;
        w = new int[] {1, 2, 3};
    }

    boolean isWhole() {
        return x == 0x0123_4567_89AB_CDEFL && y == 2.5 && z == 42 && w != null && w.length == 3
                && w[0] == 1 && w[1] == 2 && w[2] == 3;
    }
}
