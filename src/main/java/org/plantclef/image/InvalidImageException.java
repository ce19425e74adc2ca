package org.plantclef.image;

/**
 * An image that cannot be used: undecodable, empty, too large, too small. The message is the reason
 * written to the dead-letter output, so it is a complete sentence a user can act on.
 */
public class InvalidImageException extends Exception {

    private static final long serialVersionUID = 1L;

    public InvalidImageException(String reason) {
        super(reason);
    }

    public InvalidImageException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
