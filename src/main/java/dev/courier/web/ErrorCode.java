package dev.courier.web;

/** The contract's error vocabulary: each code with the HTTP status it travels with. */
public enum ErrorCode {
    MALFORMED_JSON("malformed_json", 400),
    VALIDATION_FAILED("validation_failed", 400),
    UNAUTHORIZED("unauthorized", 401),
    INVALID_CREDENTIALS("invalid_credentials", 401),
    FORBIDDEN("forbidden", 403),
    ACCOUNT_DEACTIVATED("account_deactivated", 403),
    NOT_FOUND("not_found", 404),
    USERNAME_TAKEN("username_taken", 409),
    CLIENT_MSG_ID_REUSED("client_msg_id_reused", 409),
    /** An edit of (or a reaction to) a deleted message. */
    MESSAGE_DELETED("message_deleted", 409),
    /** The action does not fit the resource's state (closing an incident whose alerts still fire). */
    CONFLICT("conflict", 409),
    PAYLOAD_TOO_LARGE("payload_too_large", 413),
    /** An upload over the attachment size limit, which the message names. */
    ATTACHMENT_TOO_LARGE("attachment_too_large", 413),
    /** An upload that would take the user's stored attachments past their quota. */
    QUOTA_EXCEEDED("quota_exceeded", 413),
    UNSUPPORTED_MEDIA_TYPE("unsupported_media_type", 415),
    RATE_LIMITED("rate_limited", 429),
    OVERLOADED("overloaded", 503),
    UNAVAILABLE("unavailable", 503),
    INTERNAL_ERROR("internal_error", 500);

    private final String code;
    private final int status;

    ErrorCode(String code, int status) {
        this.code = code;
        this.status = status;
    }

    public String code() {
        return code;
    }

    public int status() {
        return status;
    }
}
