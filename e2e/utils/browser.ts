export { launchChromium, CHROMIUM_PATH } from '../../plugin/src/testing/chromium';
