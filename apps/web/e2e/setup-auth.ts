// Runs before each e2e test file: requests to the test servers go as the bootstrapped test admin.
import { installTestAuth } from './servers';

installTestAuth();
