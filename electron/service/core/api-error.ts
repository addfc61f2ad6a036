/** A failed API operation with its HTTP status and healthchecks-style message. */
export class ApiError extends Error {
  constructor(
    public status: number,
    message: string,
  ) {
    super(message);
  }
}
