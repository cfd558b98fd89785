/** The Hono environment of the interface: what middleware hands to routes. */
export interface UiEnv {
  Variables: {
    /** The CSRF token forms of this page embed (see csrf.ts). */
    csrf: string;
  };
}
