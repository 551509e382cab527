/** The media types of the gateway's answers, as the BRP API declares them (UTF-8, said so). */
export const JSON_UTF8 = 'application/json; charset=utf-8';
export const PROBLEM_JSON = 'application/problem+json; charset=utf-8';
/** A `haal-centraal-hal` service's answers (HAL, UTF-8). */
export const HAL_JSON = 'application/hal+json; charset=utf-8';
