// Express 4 is installed under an alias next to Express 5; its API is typed as Express 5's for the tests.
declare module "express4" {
  import express from "express";
  export default express;
}
